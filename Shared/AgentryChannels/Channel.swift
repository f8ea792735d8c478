/// Where an outbound message goes: the `channel` of a `deliveries` row and of a comm tool's output.
public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
    /// A Slack-compatible Web API (`chat.postMessage`).
    case slack
    /// Email over SMTP.
    case email
    /// A comment on a Jira issue (REST API v2).
    case jira
    /// A notification kept only in the local capture: its run came from the API, the CLI or a
    /// generic webhook, so there is no conversation to answer.
    case capture
}
