import Foundation

/// One numbered SQL migration, e.g. `Migrations/0001_initial.sql` (version 1, name `initial`).
public struct Migration: Sendable, Hashable {
    /// The number that orders migrations; recorded in `schema_migrations.version`.
    public let version: Int
    /// The descriptive part of the file name.
    public let name: String
    /// The SQL, run as one script inside one transaction.
    public let sql: String
    /// SHA-256 of the SQL (line endings normalised to LF), to detect an applied migration that changed.
    public let checksum: String

    /// Creates a migration from its parts.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hex(Array(sql.replacingOccurrences(of: "\r\n", with: "\n").utf8))
    }

    /// The migrations shipped with this module (`Migrations/NNNN_name.sql`), in version order.
    public static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw PostgresError(.migration, "the Migrations resource directory is missing from the bundle")
        }
        return try load(from: directory)
    }

    /// Loads `NNNN_name.sql` files from a directory, in version order; other files are ignored.
    /// Throws when two files share a version.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        var migrations: [Migration] = []
        for file in files where file.pathExtension == "sql" {
            let base = file.deletingPathExtension().lastPathComponent
            guard let underscore = base.firstIndex(of: "_"), let version = Int(base[..<underscore]), version > 0
            else { continue }
            let sql = try String(contentsOf: file, encoding: .utf8)
            migrations.append(Migration(version: version, name: String(base[base.index(after: underscore)...]),
                                        sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw PostgresError(.migration, "two migrations have version \(next.version): "
                                + "\(previous.name) and \(next.name)")
        }
        return migrations
    }
}
