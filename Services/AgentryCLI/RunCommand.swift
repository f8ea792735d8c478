import ArgumentParser

/// `agentry run <id>`: one run's timeline.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Show a run's timeline: its steps, approvals and deliveries.")

    @OptionGroup var api: APIOptions

    @Argument(help: "The run id.")
    var id: String

    @Flag(help: "Follow the run until it ends, then print the timeline.")
    var follow = false

    @Option(help: "With --follow, give up after this many seconds.")
    var timeout: Int = 600

    func run() async throws {
        let client = api.client()
        if follow {
            let id = self.id
            let run = try await RunFollower(client: client).follow(id, timeout: .seconds(max(1, timeout))) { event in
                Console.note(Console.describe(event, runId: id))
            }
            print(TimelineRenderer().render(run))
            return
        }
        guard let run = try await client.run(id) else { throw CLIError("there is no run \(id)") }
        print(TimelineRenderer().render(run))
    }
}
