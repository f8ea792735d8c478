import AgentryAudit
import AgentryStore
import ArgumentParser
import Foundation

/// `agentry audit`: the tamper-evident audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with the audit log.", subcommands: [Verify.self])

    /// `agentry audit verify`: recomputes the hash chain.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Recompute the audit log's hash chain and name the first broken link.",
            discussion: """
                Reads the log in order, a page at a time, recomputes every entry's hash and checks that each \
                entry's prev_hash is the hash of the entry before it. Prints \
                "audit chain verified: N entries, head <hash>" and exits 0, or names the first broken link \
                ("entry seq 1234 (envelope …): hash mismatch") and exits 1. With --run or --tenant only \
                those entries are checked, each with its links to its neighbours in the whole log.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(name: .customLong("run"), help: "Only the entries of this run.")
        var runId: String?

        @Option(help: "Only the entries of this tenant.")
        var tenant: String?

        @Option(help: "Entries read per query.")
        var pageSize: Int = 1000

        func validate() throws {
            if let runId, UUID(uuidString: runId) == nil { throw ValidationError("--run must be a run id (a UUID)") }
            guard pageSize > 0 else { throw ValidationError("--page-size must be positive") }
        }

        /// The entries to check.
        var scope: AuditScope {
            AuditScope(tenant: tenant, runId: runId.flatMap(UUID.init(uuidString:)))
        }

        func run() async throws {
            let client = try PostgresClient(url: database.databaseURL, poolSize: 1, applicationName: "agentry-audit-verify")
            let outcome: AuditVerification
            do {
                outcome = try await AuditVerifier(client: client, pageSize: pageSize).verify(scope)
                await client.close()
            } catch {
                await client.close()
                throw error
            }
            print(outcome.summary)
            if !outcome.isIntact {
                Console.note("\(outcome.entries) entries before it checked out"
                    + (outcome.headSeq.map { " (up to seq \($0))" } ?? ""))
                throw ExitCode(1)
            }
        }
    }
}
