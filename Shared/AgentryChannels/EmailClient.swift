import Foundation
import AgentryHTTP

/// Sends email through the configured SMTP server.
///
/// ```swift
/// let email = EmailClient(configuration: smtp, sender: "agentry@example.com")
/// let messageID = try await email.send(EmailMessage(to: ["ana@example.com"], subject: "Hi", body: "..."),
///                                      messageID: "<delivery-1@example.com>")
/// ```
public struct EmailClient: Sendable {
    private let configuration: ChannelsConfiguration.SMTP
    private let sender: MailAddress
    private let http: HTTPClient
    private let timeout: Duration

    public init(
        configuration: ChannelsConfiguration.SMTP, sender: MailAddress, http: HTTPClient = .shared,
        timeout: Duration = .seconds(30)
    ) {
        self.configuration = configuration
        self.sender = sender
        self.http = http
        self.timeout = timeout
    }

    /// Sends `message` with the given `Message-ID`: derive it from the idempotency key's delivery so
    /// that a repeated send (after a crash mid-delivery) carries the same id and mail clients show
    /// one message.
    ///
    /// - Returns: the `Message-ID` sent.
    /// - Throws: ``ChannelError``: `invalid_message` for bad addresses, `unauthorized` for a refused
    ///   login, `unavailable` (retryable) for anything the server or network may get over.
    public func send(_ message: EmailMessage, messageID: String) async throws -> String {
        let mail = try Self.mailMessage(message, from: sender, messageID: messageID)
        do {
            return try await http.sendMail(mail, via: configuration.configuration(timeout: timeout))
        } catch let error as HTTPClientError {
            throw error.channelError(.email)
        }
    }

    /// The MIME message for `message`, after checking its recipients.
    static func mailMessage(_ message: EmailMessage, from sender: MailAddress, messageID: String) throws -> MailMessage {
        let recipients = message.to.map { MailAddress($0.trimmingCharacters(in: .whitespaces)) }
        guard !recipients.isEmpty else {
            throw ChannelError(.invalidMessage, channel: .email, "the email has no recipient")
        }
        guard recipients.count <= EmailMessage.maxRecipients else {
            throw ChannelError(.invalidMessage, channel: .email,
                               "the email has \(recipients.count) recipients, more than \(EmailMessage.maxRecipients)")
        }
        if let invalid = recipients.first(where: { !$0.isValid }) {
            throw ChannelError(
                .invalidMessage, channel: .email, "\(invalid.address.debugDescription) is not an email address")
        }
        var references = message.references
        if let inReplyTo = message.inReplyTo, !references.contains(inReplyTo) { references.append(inReplyTo) }
        return MailMessage(
            from: sender, to: recipients, subject: message.subject, textBody: message.body, messageID: messageID,
            inReplyTo: message.inReplyTo, references: references)
    }
}
