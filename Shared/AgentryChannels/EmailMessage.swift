/// An email to send through the configured SMTP server; the sender is `AGENTRY_SMTP_FROM`.
///
/// ```swift
/// let reply = EmailMessage(to: ["ana@example.com"], subject: "Re: weekly report",
///                          body: "Sent.", inReplyTo: "<CAF1@mail.example.com>")
/// ```
public struct EmailMessage: Sendable, Hashable {
    /// Most recipients one message may have.
    public static let maxRecipients = 50

    /// Recipient addresses.
    public var to: [String]
    /// The subject.
    public var subject: String
    /// The plain-text body.
    public var body: String
    /// The `Message-ID` this message answers, for threading; also the first of ``references``.
    public var inReplyTo: String?
    /// Earlier `Message-ID`s of the thread, oldest first.
    public var references: [String]

    public init(to: [String], subject: String, body: String, inReplyTo: String? = nil, references: [String] = []) {
        self.to = to
        self.subject = subject
        self.body = body
        self.inReplyTo = inReplyTo
        self.references = references
    }
}
