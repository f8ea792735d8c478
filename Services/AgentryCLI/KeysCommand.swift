import AgentryContracts
import AgentryServiceKit
import AgentryStore
import ArgumentParser
import Foundation

/// `agentry keys create | list | revoke`: the API's keys, in the database. A key is shown once,
/// when created; only its SHA-256 is stored.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (roles: admin, operator, approver, submitter, viewer).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it (once).")

        @Option(help: "A name for people, e.g. the program or person using it.")
        var name: String
        @Option(help: "admin, operator, approver, submitter or viewer.")
        var role: String
        @Option(help: "Limit the key to one tenant's runs and approvals.")
        var tenant: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard APIRole(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(APIRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
                throw ValidationError("--name must be 1 to 200 characters")
            }
            if let tenant, tenant.isEmpty || tenant.count > 64 { throw ValidationError("--tenant must be 1 to 64 characters") }
        }

        func run() async throws {
            let (key, prefix) = APIKeyFormat.generate()
            let id = UUID()
            try await KeysCommand.withStore(database) { client in
                try await client.execute("""
                    INSERT INTO api_keys (id, name, key_hash, prefix, role, tenant)
                    VALUES (\(id), \(name), \(APIKeyFormat.hash(key)), \(prefix), \(role), \(tenant))
                    """)
            }
            print("key \(id.uuidString.lowercased()) (\(prefix)) created with role \(role)\(tenant.map { " for tenant \($0)" } ?? "")")
            print("send it as Authorization: Bearer <key>; it is shown only now:")
            print(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (never the keys themselves).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let rows = try await KeysCommand.withStore(database) { client in
                try await client.query("""
                    SELECT id, name, prefix, role, tenant, created_at, revoked_at FROM api_keys ORDER BY created_at, id
                    """)
            }
            var table = CLITable(["ID", "PREFIX", "NAME", "ROLE", "TENANT", "CREATED", "REVOKED"])
            for row in rows {
                table.append([
                    try row.decode(UUID.self, column: "id").uuidString.lowercased(),
                    try row.decode(String.self, column: "prefix"), try row.decode(String.self, column: "name"),
                    try row.decode(String.self, column: "role"), try row.decode(String?.self, column: "tenant") ?? "*",
                    RFC3339.string(from: try row.decode(Date.self, column: "created_at")),
                    try row.decode(Date?.self, column: "revoked_at").map { RFC3339.string(from: $0) } ?? "",
                ])
            }
            print(rows.isEmpty ? "no API keys (create one with agentry keys create)" : table.render())
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by id or prefix; the API refuses it within 30 seconds.")

        @Argument(help: "The key's id or its 8-character prefix.")
        var key: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let revoked = try await KeysCommand.withStore(database) { client in
                if let id = UUID(uuidString: key) {
                    return try await client.execute("UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL")
                }
                return try await client.execute(
                    "UPDATE api_keys SET revoked_at = now() WHERE prefix = \(key.lowercased()) AND revoked_at IS NULL")
            }
            guard revoked > 0 else { throw CLIError("no active key has the id or prefix \(key)") }
            print("revoked \(revoked) key\(revoked == 1 ? "" : "s")")
        }
    }

    /// Runs `body` with a one-connection client on the database.
    static func withStore<T: Sendable>(_ options: DatabaseOptions, _ body: (PostgresClient) async throws -> T) async throws -> T {
        try await PostgresClient(url: options.databaseURL, poolSize: 1, applicationName: "agentry-keys").closing(body)
    }
}
