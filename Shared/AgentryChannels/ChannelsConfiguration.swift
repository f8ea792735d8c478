import AgentryHTTP
import AgentryServiceKit

/// Where outbound messages go. A channel whose endpoint is not configured is captured: its
/// messages are recorded in the `deliveries` table (status `captured`) and nothing is sent.
///
/// Read it from the environment with ``init(reader:)``; every variable is documented in
/// `docs/configuration.md` ("Outbound channels"). Secrets are never printed: ``description``
/// redacts them.
///
/// ```swift
/// let configuration = try ChannelsConfiguration(reader: ConfigurationReader())
/// let channels = OutboundChannels(configuration: configuration)
/// ```
public struct ChannelsConfiguration: Sendable {
    /// The Slack Web API endpoint; `nil` captures Slack messages.
    public var slack: Slack?
    /// The SMTP server; `nil` captures email.
    public var smtp: SMTP?
    /// The Jira site; `nil` captures Jira comments.
    public var jira: Jira?
    /// The sender of every email.
    /// `AGENTRY_SMTP_FROM` (`agentry@example.com` or `Agentry <agentry@example.com>`);
    /// required with `AGENTRY_SMTP_URL`, otherwise `agentry@localhost`.
    public var sender: MailAddress
    /// How long one send may take, connection included.
    /// `AGENTRY_CHANNEL_TIMEOUT_SECONDS`; default `30`; 1...300.
    public var timeout: Duration

    /// The sender used when neither `AGENTRY_SMTP_FROM` nor `AGENTRY_SMTP_URL` is set.
    public static let defaultSender = MailAddress("agentry@localhost", name: "Agentry")

    public init(
        slack: Slack? = nil, smtp: SMTP? = nil, jira: Jira? = nil,
        sender: MailAddress = ChannelsConfiguration.defaultSender, timeout: Duration = .seconds(30)
    ) {
        self.slack = slack
        self.smtp = smtp
        self.jira = jira
        self.sender = sender
        self.timeout = timeout
    }

    static func trimmingTrailingSlashes(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

extension ChannelsConfiguration: CustomStringConvertible, CustomReflectable {
    /// A one-line summary safe to log: tokens and passwords are redacted.
    public var description: String {
        "slack=\(slack.map { Redaction.url($0.apiURL) } ?? "capture") "
            + "email=\(smtp.map { Redaction.url($0.url) } ?? "capture") "
            + "jira=\(jira.map { Redaction.url($0.baseURL) } ?? "capture") from=\(sender.address) timeout=\(timeout)"
    }

    /// Mirrors the redacted description, so `dump` never shows a secret.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
