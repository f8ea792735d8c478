import Logging

/// Applies numbered SQL migrations, once each, in order.
///
/// The whole run holds a session advisory lock on one connection (`pg_advisory_lock`), so concurrent
/// services starting at once apply each migration exactly once. Each migration runs in its own
/// transaction together with its row in `schema_migrations(version, name, checksum, applied_at)`.
/// Running again changes nothing; an applied migration whose file changed is an error.
///
/// ```swift
/// let applied = try await Migrator(client: client, logger: logger).migrate()
/// ```
public struct Migrator: Sendable {
    /// The advisory lock key held while migrating ("agentry" in ASCII).
    public static let defaultLockKey: Int64 = 0x61_67_65_6e_74_72_79

    private let client: PostgresClient
    private let migrations: [Migration]?
    private let lockKey: Int64
    private let logger: Logger

    /// Creates a migrator for `migrations` (default: the bundled ones).
    public init(
        client: PostgresClient, migrations: [Migration]? = nil, lockKey: Int64 = Migrator.defaultLockKey,
        logger: Logger = PostgresClient.silentLogger
    ) {
        self.client = client
        self.migrations = migrations
        self.lockKey = lockKey
        self.logger = logger
    }

    /// Applies the migrations not applied yet; returns those it applied (empty when up to date).
    @discardableResult
    public func migrate() async throws -> [Migration] {
        let migrations = try self.migrations ?? Migration.bundled()
        return try await client.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(lockKey))")
            do {
                let applied = try await apply(migrations, on: connection)
                try await connection.execute("SELECT pg_advisory_unlock(\(lockKey))")
                return applied
            } catch {
                _ = try? await connection.execute("SELECT pg_advisory_unlock(\(lockKey))")
                throw error
            }
        }
    }

    /// The migrations recorded in `schema_migrations`: version → checksum (empty if the table is missing).
    public func appliedVersions() async throws -> [Int: String] {
        let exists = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists.first?.decode(Bool.self, at: 0) == true else { return [:] }
        let rows = try await client.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .map { try $0.decode((Int, String).self) }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    private func apply(_ migrations: [Migration], on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try await connection.query("SELECT version, name, checksum FROM schema_migrations") {
            let (version, name, checksum) = try row.decode((Int, String, String).self)
            applied[version] = (name, checksum)
        }
        let known = Set(migrations.map(\.version))
        for version in applied.keys.sorted() where !known.contains(version) {
            logger.warning("the database has a migration this build does not know", metadata: [
                "migration.version": "\(version)", "migration.name": "\(applied[version]?.name ?? "")",
            ])
        }
        var done: [Migration] = []
        for migration in migrations {
            if let record = applied[migration.version] {
                guard record.checksum == migration.checksum else {
                    throw PostgresError(.migration, "migration \(migration.version) (\(migration.name)) was changed "
                                        + "after it was applied: checksum \(migration.checksum) differs from the "
                                        + "recorded \(record.checksum); add a new migration instead")
                }
                continue
            }
            try await run(migration, on: connection)
            done.append(migration)
        }
        return done
    }

    private func run(_ migration: Migration, on connection: PostgresConnection) async throws {
        logger.info("applying migration", metadata: [
            "migration.version": "\(migration.version)", "migration.name": "\(migration.name)",
        ])
        try await connection.executeScript("BEGIN")
        do {
            try await connection.executeScript(migration.sql)
            try await connection.execute("""
                INSERT INTO schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                """)
            try await connection.executeScript("COMMIT")
        } catch {
            _ = try? await connection.executeScript("ROLLBACK")
            if let error = error as? PostgresError, error.code == .server {
                throw PostgresError(.migration, "migration \(migration.version) (\(migration.name)) failed: "
                                    + error.message, sqlState: error.sqlState, detail: error.detail,
                                    hint: error.hint, constraintName: error.constraintName, query: error.query)
            }
            throw error
        }
    }
}
