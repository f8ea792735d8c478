import Foundation
import AgentryChannels
import AgentryContracts
import AgentryRuntime

/// `jira.comment` {issue, body}: comments on an issue of the configured Jira site.
struct JiraCommentTool: WorkerTool {
    let name = "jira.comment"
    let deliverer: any MessageDeliverer

    func run(_ request: ToolRequest) async throws -> JSONValue {
        try await CommWorker.deliver(.jira(try Self.comment(from: request)), for: request, deliverer: deliverer)
    }

    /// The comment the step's input describes, or an `invalid_input` failure.
    static func comment(from request: ToolRequest) throws -> JiraComment {
        let issue = try request.string("issue").trimmingCharacters(in: .whitespaces)
        guard JiraComment.isValidIssue(issue) else {
            throw CommWorker.invalidInput("input.issue must be a Jira issue key such as OPS-1234")
        }
        return JiraComment(issue: issue, body: try request.string("body"))
    }
}
