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

    func run() async throws {
        let runId = try await api.client().decide(
            approval: decision.approvalId, decision: "approved", decidedBy: decision.approver, comment: decision.comment)
        print("approved \(decision.approvalId)" + (runId.map { " (run \($0))" } ?? ""))
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
