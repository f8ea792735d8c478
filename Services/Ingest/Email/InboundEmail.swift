import Foundation

/// An inbound email decoded to what the gateway needs: threading ids, parties, subject, the
/// best plain-text body and attachment metadata.
///
/// Produced by ``MIMEParser/parse(_:)`` from a raw RFC 5322 message and by
/// ``ProviderEmailForm/email(from:)`` from the form posts of inbound-mail providers.
///
/// ```swift
/// let email = try MIMEParser.parse(Array(raw.utf8))
/// email.inReplyTo            // ["<reply-target@example.com>"]
/// ReplyText.newContent(email.text)
/// ```
struct InboundEmail: Sendable, Equatable {
    /// The Message-ID as `<local@domain>`.
    var messageId: String?
    /// The ids of In-Reply-To, as `<local@domain>`.
    var inReplyTo: [String] = []
    /// The ids of References, as `<local@domain>`, oldest first.
    var references: [String] = []
    /// The first mailbox of From.
    var from: EmailAddress?
    /// The first mailbox of Reply-To.
    var replyTo: EmailAddress?
    /// The mailboxes of every To field.
    var to: [EmailAddress] = []
    /// The mailboxes of every Cc field.
    var cc: [EmailAddress] = []
    /// The subject, RFC 2047-decoded, unfolded and trimmed; "" when absent.
    var subject: String = ""
    /// The Date field.
    var date: Date?
    /// The best plain-text body: the first inline text/plain part, else the first inline
    /// text/html part as text; transfer- and charset-decoded, LF line breaks, trailing whitespace trimmed.
    var text: String = ""
    /// The attachments, in order of appearance (a forwarded message/rfc822 counts as one).
    var attachments: [EmailAttachment] = []
    /// Whether the message was sent by a program rather than a person (auto-reply, bounce, bulk),
    /// from its headers and sender; see ``AutomaticMail``.
    var isAutomatic: Bool {
        AutomaticMail.isAutomatic(
            headers: headers, from: from,
            mediaType: headers.first("Content-Type").map { MIMEParameterizedValue(parsing: $0).value })
    }
    /// The top-level header fields.
    var headers = MIMEHeaderFields()

    /// The first top-level header field named `name` (case-insensitive), unfolded, not RFC 2047-decoded.
    func header(_ name: String) -> String? {
        headers.first(name)
    }
}
