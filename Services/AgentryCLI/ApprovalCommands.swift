import AgentryContracts
import ArgumentParser
import Foundation

/// The options `approve` and `reject` share.
struct DecisionOptions: ParsableArguments {
    @Argument(help: "The approval id (shown by `agentry run <run id>`).")
    var approvalId: String

    @Option(name: .customLong("as"), help: "Who decides (default: $USER).")
    var decidedBy: String?

    @Option(help: "Why, in your words.")
    var comment: String?

    /// The approver's name: `--as`, else `$USER`, else `cli`.
    var approver: String {
        if let decidedBy, !decidedBy.isEmpty { return decidedBy }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        return "cli"
    }
}

/// `agentry approve <approval id>`.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a step or plan that waits for a person.")

    @OptionGroup var api: APIOptions
    @OptionGroup var decision: DecisionOptions

    @Option(help: ArgumentHelp(
        "Approve with an edited plan: a JSON file ({\"steps\": [...]}, or - for standard input). Steps that have started must stay as they are.",
        valueName: "file"))
    var plan: String?

    func run() async throws {
        let editedPlan = try plan.map(Self.readPlan)
        let runId = try await api.client().decide(
            approval: decision.approvalId, decision: "approved", decidedBy: decision.approver, comment: decision.comment,
            editedPlan: editedPlan)
        print("approved \(decision.approvalId)" + (editedPlan == nil ? "" : " with the edited plan")
            + (runId.map { " (run \($0))" } ?? ""))
    }

    /// The JSON in `path` (`-`: standard input); the API checks it is a plan that fits the run.
    static func readPlan(_ path: String) throws -> JSONValue {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot read the plan \(path): \(error.localizedDescription)")
        }
        guard let plan = try? JSONDecoder().decode(JSONValue.self, from: data), plan["steps"] != nil else {
            throw CLIError("\(path) is not a plan: expected JSON {\"steps\": [...]}")
        }
        return plan
    }
}

/// `agentry reject <approval id>`.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a step or plan that waits for a person (the run ends as rejected).")

    @OptionGroup var api: APIOptions
    @OptionGroup var decision: DecisionOptions

    func run() async throws {
        let runId = try await api.client().decide(
            approval: decision.approvalId, decision: "rejected", decidedBy: decision.approver, comment: decision.comment)
        print("rejected \(decision.approvalId)" + (runId.map { " (run \($0))" } ?? ""))
    }
}
