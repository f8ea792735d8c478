import AgentryChannels
import AgentryContracts
import Foundation

/// Chooses where a notification goes: back to where the run came from.
///
/// - Slack runs: a reply in the thread of the message that asked (channel and thread `ts` from the
///   source reference), with Approve / Reject buttons for approvals;
/// - email runs: a reply to the sender, `Re:` the original subject, threaded with `In-Reply-To`;
/// - Jira runs: a comment on the issue (posted only if the issue's site is the configured one);
/// - API, CLI and webhook runs, and runs whose reference lacks the address: the local capture.
enum NotificationRouter {
    static func message(for content: NotificationContent, run: NotifierRun) -> OutboundMessage {
        let reference = run.sourceReference
        switch RunSource(rawValue: run.source) {
        case .slack?:
            if let channel = reference?.slackChannel, !channel.isEmpty {
                let threadTs = reference?.slackThreadTs.flatMap { $0.isEmpty ? nil : $0 }
                // Spelled out: a bare `nil` here would become JSONValue.null, not "no blocks".
                let blocks: JSONValue? = content.kind == .approval ? NotificationFormatter.slackBlocks(content) : .none
                return .slack(SlackMessage(
                    channel: channel, text: NotificationFormatter.slackText(content), threadTs: threadTs, blocks: blocks))
            }
        case .email?:
            if let sender = reference?.emailFrom, !sender.isEmpty {
                let messageId = reference?.emailMessageId.flatMap { $0.isEmpty ? nil : $0 }
                return .email(EmailMessage(
                    to: [sender], subject: replySubject(reference?.emailSubject, fallback: content.subject),
                    body: NotificationFormatter.plainText(content), inReplyTo: messageId,
                    references: threadReferences(reference?.emailReferences, answering: messageId)))
            }
        case .jira?:
            if let issue = reference?.jiraIssueKey, JiraComment.isValidIssue(issue) {
                return .jira(JiraComment(
                    issue: issue, body: NotificationFormatter.jiraText(content), site: reference?.jiraBaseURL))
            }
        case .api?, .cli?, .webhook?, nil:
            break
        }
        return .note(CaptureNote(
            source: run.source, subject: content.subject, text: NotificationFormatter.plainText(content)))
    }

    /// The `References` of a reply: the thread's earlier ids (oldest first, each once), then the
    /// id of the email answered.
    static func threadReferences(_ earlier: [String]?, answering messageId: String?) -> [String] {
        ((earlier ?? []) + (messageId.map { [$0] } ?? [])).filter { !$0.isEmpty }.uniquedInOrder()
    }

    /// `Re: <subject>` of the original email (without doubling an existing `Re:`), or `fallback`.
    static func replySubject(_ original: String?, fallback: String) -> String {
        let subject = original.map { NotificationComposer.oneLine($0) } ?? ""
        guard !subject.isEmpty else { return fallback }
        return subject.lowercased().hasPrefix("re:") ? subject : "Re: \(subject)"
    }
}
