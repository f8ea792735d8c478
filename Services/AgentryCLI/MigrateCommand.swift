import AgentryStore
import ArgumentParser
import Foundation
import Logging

/// `agentry migrate`: applies the numbered SQL migrations under an advisory lock.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations (idempotent; safe to run from several processes at once).")

    @Option(help: "Database URL (default: $AGENTRY_DATABASE_URL, the file named by $AGENTRY_DATABASE_URL_FILE, or the local stack's).")
    var url: String?

    func run() async throws {
        let url = try url ?? DatabaseOptions.environmentDefault(ProcessInfo.processInfo.environment)
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
