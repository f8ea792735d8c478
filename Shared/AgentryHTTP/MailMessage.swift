import Foundation

/// An email: envelope recipients plus the RFC 5322 message rendered from it.
///
/// The body is `text/plain; charset=utf-8`, or `multipart/alternative` with a `text/html` part
/// when ``htmlBody`` is set; non-ASCII subjects and names become RFC 2047 encoded-words.
/// ```swift
/// var message = MailMessage(from: "agentry@example.com", to: ["oncall@example.com"],
///                           subject: "Run 42 needs approval", textBody: "Approve at https://...")
/// message.inReplyTo = previousMessageID
/// let messageID = try await HTTPClient.shared.sendMail(message, via: smtp)
/// ```
public struct MailMessage: Sendable, Hashable {
    /// How text parts are encoded for transport.
    public enum BodyEncoding: Sendable, Hashable {
        case quotedPrintable
        case base64
    }

    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Blind copies: envelope recipients only, never rendered in the message.
    public var bcc: [MailAddress]
    public var replyTo: [MailAddress]
    public var subject: String
    /// The plain-text body.
    public var textBody: String
    /// An HTML alternative of the body, if any.
    public var htmlBody: String?
    /// The `Date` header; now by default.
    public var date: Date
    /// The `Message-ID` in header form (`<id@domain>`); generated when sending if `nil`.
    public var messageID: String?
    /// The `Message-ID` this message answers, for threading.
    public var inReplyTo: String?
    /// The thread's earlier `Message-ID`s, oldest first.
    public var references: [String]
    /// The transfer encoding of text parts; quoted-printable by default.
    public var bodyEncoding: BodyEncoding

    public init(
        from: MailAddress,
        to: [MailAddress],
        cc: [MailAddress] = [],
        bcc: [MailAddress] = [],
        replyTo: [MailAddress] = [],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        date: Date = Date(),
        messageID: String? = nil,
        inReplyTo: String? = nil,
        references: [String] = [],
        bodyEncoding: BodyEncoding = .quotedPrintable
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.bodyEncoding = bodyEncoding
    }

    /// Every envelope recipient: to, cc and bcc, without duplicates.
    public var recipients: [MailAddress] {
        var seen = Set<String>()
        return (to + cc + bcc).filter { seen.insert($0.address.lowercased()).inserted }
    }

    /// A new globally unique `Message-ID` in header form, `<uuid@domain>`.
    public static func makeMessageID(domain: some StringProtocol) -> String {
        let host = domain.isEmpty ? "agentry.invalid" : String(domain)
        return "<\(UUID().uuidString.lowercased())@\(host)>"
    }
}
