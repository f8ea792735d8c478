/// Where a run request came from.
public enum RunSource: String, Codable, Sendable, CaseIterable {
    /// The REST API.
    case api
    /// A Slack event (mention, slash command, message action).
    case slack
    /// A Jira webhook.
    case jira
    /// An inbound email.
    case email
    /// A generic signed webhook.
    case webhook
    /// The `agentry` command-line tool.
    case cli
}
