import AgentryStore
import Foundation

/// Measures single-statement INSERT throughput through ``PostgresClient``, comparable to pgbench running
/// `INSERT INTO bench_insert (payload) VALUES ('bench');` with the same number of clients: each task
/// loops one autocommitted INSERT (one statement, one commit) until `seconds` have passed.
///
/// - Returns: the number of INSERTs committed and the measured wall time in seconds.
func runStoreBenchmark(
    url: String, connections: Int, seconds: Double
) async throws -> (transactions: Int, seconds: Double) {
    let client = try PostgresClient(url: url, poolSize: connections, applicationName: "agentry-bench")
    do {
        try await client.execute("""
            CREATE TABLE IF NOT EXISTS bench_insert (
                id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())
            """)
        // Open every connection and prepare the statement before the clock starts, as pgbench does.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask { try await client.query("SELECT pg_sleep(0.05)") }
            }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int64(seconds * 1000)))
        let payload = "bench"
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        try await client.execute("INSERT INTO bench_insert (payload) VALUES (\(payload))")
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = start.duration(to: clock.now)
        await client.close()
        return (total, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    } catch {
        await client.close()
        throw error
    }
}
