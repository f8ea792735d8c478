/// The kind of worker that carries out a step; also the routing key on `agentry.work`.
public enum Specialist: String, Codable, Sendable, CaseIterable {
    /// Runs code and tests in a sandbox (`work.code`).
    case code
    /// Queries allow-listed data sources and transforms data (`work.data`).
    case data
    /// Sends Slack messages, email, Jira comments (`work.comm`).
    case comm
    /// Drives a headless browser (`work.browser`).
    case browser

    /// The routing key on the `agentry.work` exchange (the kind itself, e.g. `code`).
    public var routingKey: String { rawValue }

    /// The name of this kind's work queue, e.g. `work.code`.
    public var queueName: String { "work.\(rawValue)" }
}
