import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

extension StoreIntegrationTests {
    /// Broken connections are discarded and replaced; in-flight statements fail with `.connectionLost`.
    @Suite struct Recovery {
        @Test func reconnectsAfterTheServerRestarts() async throws {
            try await StoreFixture.withClient(poolSize: 3) { client in
                // Open all three connections.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 { group.addTask { try await client.execute("SELECT pg_sleep(0.05)") } }
                    try await group.waitForAll()
                }
                #expect(client.poolStatistics.idle == 3)
                let before = try await client.query("SELECT pg_postmaster_start_time()").first?.decode(Date.self, at: 0)

                try await TestStack.runStackScript("restart", "postgres")

                var failures: [PostgresError.Code] = []
                let after = try await retrying("queries succeed after the restart", timeout: .seconds(60)) {
                    do {
                        return try await client.query("SELECT pg_postmaster_start_time()")
                            .first?.decode(Date.self, at: 0)
                    } catch let error as PostgresError {
                        failures.append(error.code)
                        throw error
                    }
                }
                #expect(after != nil && after != before)
                #expect(failures.allSatisfy { [.connectionLost, .connectionFailed, .timeout].contains($0) })
                try await client.withTransaction { connection in
                    try await connection.execute("SELECT 1")
                }
                try await client.ping()
                #expect(client.isConnected)
            }
        }

        @Test func statementInFlightFailsWithConnectionLostAndIsNotRerun() async throws {
            try await StoreFixture.withFreshDatabase(poolSize: 2) { client, _ in
                try await client.execute("CREATE TABLE hits (n int)")
                let lost = try await StoreFixture.postgresError {
                    try await client.withConnection { connection in
                        let pid = connection.backendPID
                        async let killer: Void = {
                            try await eventually("the insert is running") {
                                let rows = try await client.query("""
                                    SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active'
                                    """)
                                return try rows.first?.decode(Int.self, at: 0) == 1
                            }
                            try await client.execute("SELECT pg_terminate_backend(\(pid))")
                        }()
                        try await connection.execute("INSERT INTO hits SELECT 1 FROM pg_sleep(5)")
                        try await killer
                    }
                }
                #expect(lost.code == .connectionLost)
                #expect(lost.query == "INSERT INTO hits SELECT 1 FROM pg_sleep(5)")
                let count = try await client.query("SELECT count(*) FROM hits").first?.decode(Int.self, at: 0)
                #expect(count == 0)
            }
        }

        @Test func idleConnectionClosedByTheServerIsReplacedTransparently() async throws {
            try await StoreFixture.withFreshDatabase(poolSize: 1) { client, _ in
                try await client.execute("CREATE TABLE hits (n int)")
                let pids = try await client.query("SELECT pg_backend_pid()")
                let pid = try #require(pids.first).decode(Int32.self, at: 0)
                // Terminate the pooled connection's backend from outside the pool.
                try await StoreFixture.withClient(poolSize: 1) { admin in
                    try await admin.execute("SELECT pg_terminate_backend(\(pid))")
                    try await eventually("the backend is gone") {
                        let rows = try await admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)")
                        return try rows.first?.decode(Int.self, at: 0) == 0
                    }
                }
                // The closed connection is found before the INSERT is sent, so it runs once, elsewhere.
                try await client.execute("INSERT INTO hits VALUES (\(1))")
                let rows = try await client.query("SELECT count(*), pg_backend_pid() FROM hits")
                let (count, newPID) = try #require(rows.first).decode((Int, Int32).self)
                #expect(count == 1)
                #expect(newPID != pid)
            }
        }

        @Test func unreachableServerFailsWithConnectionFailed() async throws {
            var configuration = try StoreFixture.configuration(poolSize: 1)
            configuration.host = "127.0.0.1"
            configuration.port = 1
            configuration.checkoutTimeout = .milliseconds(500)
            let client = PostgresClient(configuration: configuration, logger: StoreFixture.logger)
            let error = try await StoreFixture.postgresError { try await client.ping() }
            #expect(error.code == .connectionFailed)
            #expect(!client.isConnected)
            await client.close()
        }
    }
}
