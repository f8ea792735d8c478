import AgentryStore
import Foundation

/// The demo's data source: a database `agentry_demo` on the stack's server with a small
/// `incidents(id, title, severity, status, opened_at)` table, created when missing. The data worker
/// reads it as its `default` source.
enum DemoDataSource {
    static let databaseName = "agentry_demo"

    /// The demo incidents: (id, title, severity, status, opened how long before seeding).
    static let incidents: [(id: Int, title: String, severity: String, status: String, age: String)] = [
        (1, "Checkout latency above 2 s in eu-west", "high", "open", "2 hours"),
        (2, "Disk 91% full on db-replica-3", "medium", "open", "5 hours"),
        (3, "Payment webhook retries failing", "critical", "open", "40 minutes"),
        (4, "TLS certificate for api.example.com expires in 6 days", "low", "open", "1 day"),
        (5, "Nightly export job ran 40 minutes late", "low", "resolved", "3 days"),
        (6, "Login errors after the 2.14 deploy", "high", "closed", "6 days"),
    ]

    /// `databaseURL` with its database replaced by `agentry_demo`.
    static func url(from databaseURL: String) throws -> String {
        guard var components = URLComponents(string: databaseURL), components.host != nil else {
            throw CLIError("the database URL is not a postgres:// URL")
        }
        components.path = "/" + databaseName
        guard let url = components.string else { throw CLIError("cannot build the demo database URL") }
        return url
    }

    /// Creates the database, the table and its rows where missing; returns the demo database URL
    /// and how many incidents it holds.
    static func prepare(databaseURL: String) async throws -> (url: String, incidents: Int) {
        let admin = try PostgresClient(url: databaseURL, poolSize: 1, applicationName: "agentry-up")
        do {
            let exists = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(databaseName)").count == 1
            if !exists {
                do {
                    try await admin.execute("CREATE DATABASE \(identifier: databaseName)")
                } catch let error as PostgresError where error.sqlState == "42P04" {
                    // Created meanwhile by another `agentry up`.
                }
            }
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
        let url = try url(from: databaseURL)
        let demo = try PostgresClient(url: url, poolSize: 1, applicationName: "agentry-up")
        do {
            let count = try await demo.withTransaction { connection -> Int in
                try await connection.execute("""
                    CREATE TABLE IF NOT EXISTS incidents (
                        id        integer PRIMARY KEY,
                        title     text NOT NULL,
                        severity  text NOT NULL,
                        status    text NOT NULL,
                        opened_at timestamptz NOT NULL
                    )
                    """)
                for incident in incidents {
                    try await connection.execute("""
                        INSERT INTO incidents (id, title, severity, status, opened_at)
                        VALUES (\(incident.id), \(incident.title), \(incident.severity), \(incident.status),
                                now() - \(incident.age)::interval)
                        ON CONFLICT (id) DO NOTHING
                        """)
                }
                return try await connection.query("SELECT count(*) FROM incidents").first?.decode(Int.self, at: 0) ?? 0
            }
            await demo.close()
            return (url, count)
        } catch {
            await demo.close()
            throw error
        }
    }
}
