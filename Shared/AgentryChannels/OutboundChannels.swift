import AgentryContracts
import AgentryHTTP
import Foundation

/// The configured endpoints: decides whether a message is sent or captured, and sends it.
///
/// ```swift
/// let channels = OutboundChannels(configuration: try ChannelsConfiguration(reader: reader))
/// if case .capture(let reason) = channels.disposition(for: message) { print(reason) }
/// ```
public struct OutboundChannels: Sendable {
    /// What happens to a message.
    public enum Disposition: Sendable, Hashable {
        /// It goes to the configured endpoint.
        case send
        /// It is only recorded in the local capture, for this reason.
        case capture(reason: String)
    }

    /// The settings in use.
    public let configuration: ChannelsConfiguration
    private let slack: SlackClient?
    private let email: EmailClient?
    private let jira: JiraClient?

    /// - Parameters:
    ///   - configuration: The endpoints; a missing one captures its channel.
    ///   - http: The client for HTTP and SMTP; the process-wide one by default.
    public init(configuration: ChannelsConfiguration, http: HTTPClient = .shared) {
        self.configuration = configuration
        slack = configuration.slack.map { SlackClient(configuration: $0, http: http, timeout: configuration.timeout) }
        email = configuration.smtp.map {
            EmailClient(configuration: $0, sender: configuration.sender, http: http, timeout: configuration.timeout)
        }
        jira = configuration.jira.map { JiraClient(configuration: $0, http: http, timeout: configuration.timeout) }
    }

    /// Whether `message` would be sent or captured, and why.
    public func disposition(for message: OutboundMessage) -> Disposition {
        switch message {
        case .slack:
            return slack == nil ? .capture(reason: "AGENTRY_SLACK_API_URL is not set") : .send
        case .email:
            return email == nil ? .capture(reason: "AGENTRY_SMTP_URL is not set") : .send
        case .jira(let comment):
            guard let jira = configuration.jira else { return .capture(reason: "AGENTRY_JIRA_BASE_URL is not set") }
            if let site = comment.site, !Self.sameSite(site, jira.baseURL) {
                return .capture(reason: "the issue belongs to \(site), not to the configured AGENTRY_JIRA_BASE_URL")
            }
            return .send
        case .note(let note):
            return .capture(reason: "a \(note.source) run has no conversation to answer")
        }
    }

    /// Sends `message` (whose disposition must be ``Disposition/send``).
    ///
    /// - Parameters:
    ///   - idempotencyKey: Sent as `Idempotency-Key` on HTTP requests.
    ///   - deliveryId: The delivery's id; an email's `Message-ID` is derived from it.
    /// - Returns: a short summary of the endpoint's answer, e.g. `ts 1718000000.000100 in C0123`.
    /// - Throws: ``ChannelError``.
    public func send(_ message: OutboundMessage, idempotencyKey: String, deliveryId: UUID) async throws -> String {
        switch message {
        case .slack(let slackMessage):
            guard let slack else { throw notConfigured(.slack) }
            let posted = try await slack.post(slackMessage, idempotencyKey: idempotencyKey)
            return "ts \(posted.ts) in \(posted.channel.isEmpty ? slackMessage.channel : posted.channel)"
        case .email(let emailMessage):
            guard let email else { throw notConfigured(.email) }
            let messageID = AgentryMessageID.make(deliveryId: deliveryId, domain: String(configuration.sender.domain))
            return "Message-ID \(try await email.send(emailMessage, messageID: messageID))"
        case .jira(let comment):
            guard let jira, disposition(for: message) == .send else { throw notConfigured(.jira) }
            return "comment \(try await jira.comment(comment, idempotencyKey: idempotencyKey).id) on \(comment.issue)"
        case .note:
            throw notConfigured(.capture)
        }
    }

    private func notConfigured(_ channel: Channel) -> ChannelError {
        ChannelError(.rejected, channel: channel, "no \(channel.rawValue) endpoint may receive this message")
    }

    /// Whether two site URLs name the same Jira site: scheme, host and port compared without case,
    /// paths without trailing slashes.
    static func sameSite(_ lhs: String, _ rhs: String) -> Bool {
        guard let left = siteKey(lhs), let right = siteKey(rhs) else { return false }
        return left == right
    }

    private static func siteKey(_ url: String) -> String? {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil
        else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        return "\(scheme)://\(host):\(port)\(path)"
    }
}
