import AgentryServiceKit
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import Testing

@testable import AgentryCLI
@testable import AgentryIngest

/// `agentry keys` on a real database, and the gateway reading what it wrote.
@Suite(.enabled(if: TestStack.isEnabled, "needs the test stack (scripts/test)"))
struct KeysCommandTests {
    static let logger: Logger = {
        var logger = Logger(label: "keys-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func url(of database: String) throws -> String {
        var components = try #require(URLComponents(string: try TestStack.databaseURL()))
        components.path = "/" + database
        return try #require(components.string)
    }

    @Test func keysAreCreatedHashedListedAndRevoked() async throws {
        try await TestDatabase.withFresh(prefix: "agentry_t_keys", poolSize: 2, logger: Self.logger) { client, configuration in
            let url = try Self.url(of: try #require(configuration.database))
            try await KeysCommand.Create.parse(["--name", "ci", "--role", "approver", "--tenant", "acme", "--database-url", url]).run()
            let row = try #require(try await client.query("SELECT id, prefix, key_hash, role, tenant FROM api_keys").first)
            #expect(try row.decode(String.self, column: "role") == "approver")
            #expect(try row.decode(String?.self, column: "tenant") == "acme")
            let prefix = try row.decode(String.self, column: "prefix")
            let hash = try row.decode(String.self, column: "key_hash")
            #expect(prefix.count == 8 && hash.count == 64)

            // The gateway finds it by hash, and sees the revocation.
            let store = PostgresRunStore(client: client)
            #expect(try await store.apiKey(hash: hash) == APIKeyRecord(
                id: try row.decode(UUID.self, column: "id"), role: .approver, tenant: "acme", revoked: false))
            try await KeysCommand.Revoke.parse([prefix, "--database-url", url]).run()
            #expect(try await store.apiKey(hash: hash)?.revoked == true)
            #expect(try await store.apiKey(hash: APIKeyFormat.hash(APIKeyFormat.generate().key)) == nil)
            await #expect(throws: CLIError.self) {
                try await KeysCommand.Revoke.parse([prefix, "--database-url", url]).run()
            }
            try await KeysCommand.List.parse(["--database-url", url]).run()
        }
    }

    @Test func badArgumentsAreRefusedBeforeAnythingIsWritten() {
        #expect(throws: (any Error).self) { try KeysCommand.Create.parse(["--name", "x", "--role", "root"]) }
        #expect(throws: (any Error).self) { try KeysCommand.Create.parse(["--name", " ", "--role", "viewer"]) }
        #expect(throws: (any Error).self) { try KeysCommand.Create.parse(["--role", "viewer"]) }
    }

    @Test func generatedKeysHaveTheirShapeAndDiffer() {
        let (key, prefix) = APIKeyFormat.generate()
        #expect(APIKeyFormat.isWellFormed(key))
        #expect(key.hasPrefix("agk_\(prefix)_"))
        #expect(APIKeyFormat.generate().key != key)
        #expect(!APIKeyFormat.isWellFormed(key + "x"))
        #expect(!APIKeyFormat.isWellFormed("agk_zzzzzzzz_" + String(repeating: "a", count: 40)))
        #expect(APIKeyFormat.hash(key) == APIKeyFormat.hash(key))
        #expect(APIKeyFormat.hash(key).count == 64)
    }
}
