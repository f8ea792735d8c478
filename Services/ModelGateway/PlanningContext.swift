import AgentryContracts
import Foundation

/// What the requester's side of a run looks like, when the caller of the planner says so: the
/// source of the request and where to reply.
///
/// A caller passes it as a chat message named `agentry.context` (any role) whose content is this
/// JSON, e.g. `{"source":"slack","sourceReference":{"slackChannel":"C0123","slackThreadTs":"1718.1"}}`.
/// The offline planner uses it to reply to the source ("post them here", and its help reply).
struct PlanningContext: Codable, Sendable, Equatable {
    /// The `name` of the chat message that carries the context.
    static let messageName = "agentry.context"

    /// Where the request came from.
    var source: RunSource?
    /// Where the conversation, issue or email lives.
    var sourceReference: SourceReference?
    /// Who asked.
    var requestedBy: String?

    init(source: RunSource? = nil, sourceReference: SourceReference? = nil, requestedBy: String? = nil) {
        self.source = source
        self.sourceReference = sourceReference
        self.requestedBy = requestedBy
    }

    /// The context carried by the last message named ``messageName`` whose content decodes, if any.
    static func find(in messages: [ChatMessage]) -> PlanningContext? {
        for message in messages.reversed() where message.name == messageName {
            if let context = try? JSONDecoder().decode(PlanningContext.self, from: Data(message.content.utf8)) {
                return context
            }
        }
        return nil
    }

    /// Where a reply to the source goes, when the source can be replied to by a step.
    var replyDestination: Destination? {
        guard let reference = sourceReference else { return nil }
        switch source {
        case .slack?:
            guard let channel = reference.slackChannel, !channel.isEmpty else { return nil }
            return .slack(channel: channel, threadTs: reference.slackThreadTs)
        case .jira?:
            guard let issue = reference.jiraIssueKey, !issue.isEmpty else { return nil }
            return .jira(issue: issue)
        case .email?:
            guard let from = reference.emailFrom, !from.isEmpty else { return nil }
            return .email(to: from, subject: reference.emailSubject.map { "Re: \($0)" })
        default:
            return nil
        }
    }
}
