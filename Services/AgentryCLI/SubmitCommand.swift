import AgentryContracts
import ArgumentParser
import Foundation

/// `agentry submit "text"`: asks for a run through `POST /v1/runs` and prints its id.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Ask Agentry to do something: submit a run and print its id.",
        discussion: """
            With --wait, follows the run until it ends (approving is up to you: `agentry approve <id>` \
            in another terminal) and prints its timeline; the exit status is then 0 only if it completed.
            """)

    @OptionGroup var api: APIOptions

    @Argument(help: "What to do, in words, e.g. \"summarise the open incidents and post them to #ops\".")
    var request: String

    @Option(help: "The tenant (default: the API's default tenant).")
    var tenant: String?

    @Option(help: "Where the request comes from: api, cli, jira, email or webhook.")
    var source: String = "cli"

    @Option(name: .customLong("requested-by"), help: "Who asks (default: $USER).")
    var requestedBy: String?

    @Flag(help: "Follow the run to its end and print its timeline.")
    var wait = false

    @Option(help: "With --wait, give up after this many seconds.")
    var timeout: Int = 600

    func validate() throws {
        guard !request.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("the request must not be empty")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// The body sent to the API.
    var submission: RunSubmissionBody {
        let user = requestedBy ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 }
        return RunSubmissionBody(request: request, tenant: tenant, source: source, requestedBy: user)
    }

    func run() async throws {
        let client = api.client()
        let runId = try await client.submit(submission)
        print(runId)
        guard wait else { return }
        let run = try await RunFollower(client: client).follow(runId, timeout: .seconds(timeout)) { event in
            Console.note(Console.describe(event, runId: runId))
        }
        print(TimelineRenderer().render(run))
        if run.status != "completed" { throw ExitCode(1) }
    }
}
