import AgentryContracts
import Crypto
import Foundation

/// Decides what an inbound email (already authenticated by the webhook token and decoded) does.
///
/// - Automatic mail (auto-replies, bounces, lists; ``InboundEmail/isAutomatic``), mail from
///   Agentry's own address, and mail from senders outside ``EmailSettings/allowedSenders`` start
///   nothing; they are acknowledged as ignored, so the provider does not retry them.
/// - Otherwise the email becomes `run.requested` from `email`: a new email's request is its subject
///   and body; a reply's (it has `In-Reply-To` or `References`) is only its new text, above the
///   quoted original (``ReplyText``). The `Message-ID` is the external event id, so a provider's
///   retry is one run (an email without one is identified by the SHA-256 of its raw bytes).
///   The reply to the run goes back to the sender, threaded under this email.
/// - ``threadLookup`` is where the gateway looks for the run whose thread a reply continues:
///   the ids the email answers, the one it answers directly first.
struct EmailEventMapper: Sendable {
    let settings: EmailSettings

    /// What an email leads to.
    enum Outcome: Sendable, Equatable {
        /// Nothing; the reason is a metric label.
        case ignored(String)
        /// A run with this request; ``EmailEventMapper/threadLookup(_:)`` says which thread it may continue.
        case run(RunRequested)
    }

    /// The outcome for `email`, posted as `raw` (hashed when it has no usable `Message-ID`).
    ///
    /// - Throws: 400 `invalid_email` when the email has no usable sender.
    func outcome(for email: InboundEmail, raw: [UInt8]) throws(APIError) -> Outcome {
        guard let sender = email.from?.address, sender.contains("@") else {
            throw APIError(.badRequest, code: "invalid_email", "the email has no From address")
        }
        let address = sender.lowercased()
        if email.isAutomatic { return .ignored("automatic") }
        if let own = settings.ownAddress, address == own { return .ignored("own_message") }
        guard settings.allows(sender: address) else { return .ignored("sender_not_allowed") }

        let isReply = !email.inReplyTo.isEmpty || !email.references.isEmpty
        let body = (isReply ? ReplyText.newContent(email.text) : email.text).trimmingWhitespace()
        let subject = email.subject.trimmingWhitespace()
        var request = isReply || subject.isEmpty ? body : (body.isEmpty ? subject : "\(subject)\n\n\(body)")
        if request.isEmpty { return .ignored("empty") }
        if request.count > RunSubmission.maximumRequestLength {
            request = String(request.prefix(RunSubmission.maximumRequestLength - 1)) + "…"
        }
        let messageId = email.messageId.flatMap { $0.isEmpty ? nil : $0 }
        return .run(RunRequested(
            request: request, source: .email,
            sourceReference: SourceReference(
                emailMessageId: messageId, emailFrom: sender, emailReferences: Self.thread(of: email),
                emailSubject: subject.isEmpty ? nil : subject),
            externalEventId: Self.externalEventId(messageId: messageId, raw: raw),
            requestedBy: address))
    }

    /// The ids an answer to `email` refers to before `email` itself: its `References`, then its
    /// `In-Reply-To` ids not already there (the newest ``maximumThreadIds``); nil when it answers nothing.
    static func thread(of email: InboundEmail) -> [String]? {
        let ids = (email.references + email.inReplyTo).uniquedInOrder().suffix(maximumThreadIds)
        return ids.isEmpty ? nil : Array(ids)
    }

    /// The ids a reply answers, most direct first (`In-Reply-To`, then `References` newest first),
    /// each once: where the gateway looks for the thread's run.
    static func threadLookup(_ email: InboundEmail) -> [String] {
        Array((email.inReplyTo + email.references.reversed()).uniquedInOrder().prefix(maximumThreadIds))
    }

    /// Most ids of a thread kept or looked up (the newest; mail clients cut long `References` too).
    static let maximumThreadIds = 100

    /// The `Message-ID`, or (missing, or longer than external ids may be) `sha256:<hex>` of the raw email.
    static func externalEventId(messageId: String?, raw: [UInt8]) -> String {
        guard let messageId, messageId.count <= 512 else { return "sha256:\(digest(raw))" }
        return messageId
    }

    /// SHA-256 of `bytes`, lowercase hex.
    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hexString
    }
}
