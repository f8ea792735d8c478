import AgentryStore
import AgentryTestSupport
import Foundation
import Synchronization
import Testing

extension StoreIntegrationTests {
    /// Transactions, errors, the pool and the statement cache.
    @Suite struct Client {
        struct Expected: Error {}

        @Test func transactionsCommitAndRollBack() async throws {
            try await StoreFixture.withFreshDatabase { client, _ in
                try await client.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")

                let inserted = try await client.withTransaction { connection in
                    try await connection.execute("INSERT INTO items VALUES (\(1), \("one"))")
                    return try await connection.execute("INSERT INTO items VALUES (\(2), \("two"))")
                }
                #expect(inserted == 1)

                await #expect(throws: Expected.self) {
                    try await client.withTransaction { connection in
                        try await connection.execute("INSERT INTO items VALUES (\(3), \("three"))")
                        let seen = try await connection.query("SELECT count(*) FROM items")
                            .first?.decode(Int.self, at: 0)
                        #expect(seen == 3)
                        throw Expected()
                    }
                }

                // A statement error swallowed inside the closure still aborts the transaction.
                let aborted = try await StoreFixture.postgresError {
                    try await client.withTransaction(.serializable) { connection in
                        try await connection.execute("INSERT INTO items VALUES (\(4), \("four"))")
                        _ = try? await connection.execute("INSERT INTO items VALUES (\(1), \("duplicate"))")
                    }
                }
                #expect(aborted.sqlState == "25P02")

                let ids = try await client.query("SELECT id FROM items ORDER BY id")
                    .map { try $0.decode(Int.self, at: 0) }
                #expect(ids == [1, 2])
                // The connections went back clean: no transaction is left open.
                let open = try await client.query("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND state LIKE 'idle in transaction%'
                    """).first?.decode(Int.self, at: 0)
                #expect(open == 0)
            }
        }

        @Test func withConnectionRollsBackWhatTheClosureLeftOpen() async throws {
            try await StoreFixture.withFreshDatabase(poolSize: 1) { client, _ in
                try await client.execute("CREATE TABLE items (id int PRIMARY KEY)")
                try await client.withConnection { connection in
                    try await connection.execute("BEGIN")
                    try await connection.execute("INSERT INTO items VALUES (\(1))")
                }
                let count = try await client.query("SELECT count(*) FROM items").first?.decode(Int.self, at: 0)
                #expect(count == 0)
            }
        }

        @Test func errorsCarrySQLStateAndQueryButNotValues() async throws {
            try await StoreFixture.withFreshDatabase { client, _ in
                try await client.execute("""
                    CREATE TABLE keys (id int PRIMARY KEY, secret text UNIQUE, n int CHECK (n > 0))
                    """)
                try await client.execute("INSERT INTO keys VALUES (\(1), \("hunter2"), \(1))")

                let unique = try await StoreFixture.postgresError {
                    try await client.execute("INSERT INTO keys VALUES (\(2), \("hunter2"), \(1))")
                }
                #expect(unique.code == .server)
                #expect(unique.isUniqueViolation)
                #expect(unique.sqlState == "23505")
                #expect(unique.constraintName == "keys_secret_key")
                #expect(unique.query == "INSERT INTO keys VALUES ($1, $2, $3)")
                #expect(unique.shortDescription == "server")
                #expect(!unique.description.contains("hunter2"))
                #expect(unique.detail?.contains("hunter2") == true)
                #expect(unique.description.contains("INSERT INTO keys VALUES ($1, $2, $3)"))

                let check = try await StoreFixture.postgresError {
                    try await client.execute("INSERT INTO keys VALUES (\(3), \("x"), \(0))")
                }
                #expect(check.isCheckViolation)

                let syntax = try await StoreFixture.postgresError { try await client.execute("SELEC 1") }
                #expect(syntax.sqlState == "42601")
                #expect(syntax.query == "SELEC 1")

                let missing = try await StoreFixture.postgresError { try await client.execute("SELECT * FROM nowhere") }
                #expect(missing.sqlState == "42P01")

                let decoding = try await StoreFixture.postgresError {
                    _ = try await client.query("SELECT 'abc' AS n").first?.decode(Int.self, column: "n")
                }
                #expect(decoding.code == .decoding)
                #expect(decoding.message.contains("\"n\""))

                let null = try await StoreFixture.postgresError {
                    _ = try await client.query("SELECT NULL::int AS n").first?.decode(Int.self, column: "n")
                }
                #expect(null.code == .decoding)

                struct NotJSON: Encodable, Sendable { let value = Double.nan }
                let encoding = try await StoreFixture.postgresError {
                    try await client.execute("SELECT \(PostgresJSON(NotJSON()))")
                }
                #expect(encoding.code == .encoding)

                let nul = try await StoreFixture.postgresError { try await client.execute("SELECT \("a\u{0}b")") }
                #expect(nul.code == .encoding)

                // The client is still fine after all these errors.
                try await client.ping()
            }
        }

        @Test func connectionCannotBeUsedAfterItsScope() async throws {
            try await StoreFixture.withClient { client in
                let escaped = try await client.withConnection { $0 }
                let error = try await StoreFixture.postgresError { try await escaped.execute("SELECT 1") }
                #expect(error.code == .connectionReleased)
            }
        }

        @Test func poolOfFourServesFiftyConcurrentTasks() async throws {
            try await StoreFixture.withClient(poolSize: 4) { client in
                let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
                    for task in 0..<50 {
                        group.addTask {
                            if task.isMultiple(of: 2) {
                                return try await client.withConnection { connection in
                                    let pid = try await connection.query("SELECT pg_backend_pid(), pg_sleep(0.01)")
                                    return try #require(pid.first).decode(Int32.self, at: 0)
                                }
                            }
                            let rows = try await client.query("SELECT pg_backend_pid(), pg_sleep(0.01)")
                            return try #require(rows.first).decode(Int32.self, at: 0)
                        }
                    }
                    return try await group.reduce(into: [Int32]()) { $0.append($1) }
                }
                #expect(pids.count == 50)
                #expect(Set(pids).count <= 4)
                #expect(Set(pids).count >= 2)
                let statistics = client.poolStatistics
                #expect(statistics.idle + statistics.leased <= 4)
                #expect(statistics.waiting == 0)
            }
        }

        @Test func waitingForABusyPoolTimesOutAndCanBeCancelled() async throws {
            var configuration = try StoreFixture.configuration(poolSize: 1)
            configuration.checkoutTimeout = .milliseconds(300)
            let client = PostgresClient(configuration: configuration, logger: StoreFixture.logger)
            let release = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await client.withConnection { _ in
                    for await _ in release.stream { break }
                }
            }
            try await eventually("the only connection is leased") { client.poolStatistics.leased == 1 }

            let timedOut = try await StoreFixture.postgresError { try await client.execute("SELECT 1") }
            #expect(timedOut.code == .timeout)

            let waiter = Task { try await client.execute("SELECT 1") }
            try await eventually("the caller is waiting") { client.poolStatistics.waiting == 1 }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(client.poolStatistics.waiting == 0)

            release.continuation.yield()
            try await holder.value
            try await client.ping()
            await client.close()
            let closed = try await StoreFixture.postgresError { try await client.execute("SELECT 1") }
            #expect(closed.code == .poolClosed)
        }

        @Test func statementsArePreparedOncePerConnection() async throws {
            try await StoreFixture.withFreshDatabase(poolSize: 1) { client, _ in
                try await client.execute("CREATE TABLE items (id int)")
                for id in 0..<5 {
                    try await client.execute("INSERT INTO items VALUES (\(Int32(id)))")
                }
                let prepared = try await client.query("""
                    SELECT count(*) FROM pg_prepared_statements WHERE statement = 'INSERT INTO items VALUES ($1)'
                    """).first?.decode(Int.self, at: 0)
                #expect(prepared == 1)

                // A schema change invalidates the cached plan of SELECT *; the client re-prepares it.
                let before = try await client.query("SELECT * FROM items LIMIT 1")
                #expect(before.columns.count == 1)
                try await client.execute("ALTER TABLE items ADD COLUMN name text DEFAULT 'x'")
                let after = try await client.query("SELECT * FROM items LIMIT 1")
                #expect(after.columns.map(\.name) == ["id", "name"])
            }
        }
    }
}
