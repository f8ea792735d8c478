import AgentryStore
import ArgumentParser
import Foundation
import Logging

/// `agentry migrate`: applies the numbered SQL migrations under an advisory lock.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations (idempotent; safe to run from several processes at once).")

    @Option(help: "Database URL (default: $AGENTRY_DATABASE_URL).")
    var url = ProcessInfo.processInfo.environment["AGENTRY_DATABASE_URL"]
        ?? "postgres://agentry:agentry@127.0.0.1:55432/agentry"

    func run() async throws {
        let client = try PostgresClient(url: url, poolSize: 1, applicationName: "agentry-migrate")
        do {
            let applied = try await Migrator(client: client).migrate()
            await client.close()
            print(applied.isEmpty
                ? "database is up to date"
                : "applied: \(applied.map { "\($0.version) \($0.name)" }.joined(separator: ", "))")
        } catch {
            await client.close()
            throw error
        }
    }
}
