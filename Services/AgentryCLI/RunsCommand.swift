import ArgumentParser

/// `agentry runs`: the latest runs as a table.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List runs, newest first.")

    @OptionGroup var api: APIOptions

    @Option(help: "Only runs with this status (pending, planning, running, waiting_for_approval, completed, failed, ...).")
    var status: String?

    @Option(help: "Only runs of this tenant.")
    var tenant: String?

    @Option(help: "How many runs at most (1-500).")
    var limit: Int = 20

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
    }

    func run() async throws {
        let runs = try await api.client().runs(status: status, tenant: tenant, limit: limit)
        print(TimelineRenderer().render(runs))
    }
}
