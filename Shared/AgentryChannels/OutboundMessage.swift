import AgentryContracts

/// One message for one channel, as the comm worker's tools and the notifier hand it to a
/// ``MessageDeliverer``.
///
/// ```swift
/// let message = OutboundMessage.slack(SlackMessage(channel: "#ops", text: "Deployed"))
/// let receipt = try await ledger.deliver(message, key: item.idempotencyKey, context: .step(runId, "post"))
/// ```
public enum OutboundMessage: Sendable, Hashable {
    /// A Slack message.
    case slack(SlackMessage)
    /// An email.
    case email(EmailMessage)
    /// A Jira comment.
    case jira(JiraComment)
    /// A note kept only in the local capture (a run with no conversation to answer).
    case note(CaptureNote)

    /// The channel the message is for.
    public var channel: Channel {
        switch self {
        case .slack: .slack
        case .email: .email
        case .jira: .jira
        case .note: .capture
        }
    }

    /// Who receives it, for people and the `deliveries.target` column: the Slack channel (with
    /// `/thread ts` when threaded), the email recipients, the Jira issue key, or the note's source.
    public var target: String {
        switch self {
        case .slack(let message):
            message.threadTs.map { "\(message.channel)/\($0)" } ?? message.channel
        case .email(let message):
            message.to.joined(separator: ", ")
        case .jira(let comment):
            comment.issue
        case .note(let note):
            note.source
        }
    }

    /// The message as JSON, stored in `deliveries.payload` (the local capture) and shown by the API.
    /// It holds what was (or would have been) sent, never a credential.
    public var payload: JSONValue {
        switch self {
        case .slack(let message):
            return message.requestBody
        case .email(let message):
            var payload: [String: JSONValue] = [
                "to": .array(message.to.map(JSONValue.string)),
                "subject": .string(message.subject),
                "body": .string(message.body),
            ]
            if let inReplyTo = message.inReplyTo { payload["inReplyTo"] = .string(inReplyTo) }
            if !message.references.isEmpty { payload["references"] = .array(message.references.map(JSONValue.string)) }
            return .object(payload)
        case .jira(let comment):
            var payload: [String: JSONValue] = [
                "issue": .string(comment.issue),
                "body": .string(TextLimit.truncate(comment.body, to: JiraComment.maxBodyLength)),
            ]
            if let site = comment.site { payload["site"] = .string(site) }
            return .object(payload)
        case .note(let note):
            return ["source": .string(note.source), "subject": .string(note.subject), "text": .string(note.text)]
        }
    }
}
