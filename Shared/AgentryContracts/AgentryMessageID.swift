import Foundation

/// The `Message-ID`s of the emails Agentry sends: `<agentry.<delivery id>@<sender's domain>>`.
///
/// The id is derived from the delivery, so a repeated send after a crash carries the same id, and
/// an answer to the email (whose `In-Reply-To` or `References` names it) leads back to the delivery
/// and so to its run.
///
/// ```swift
/// let id = AgentryMessageID.make(deliveryId: delivery, domain: "example.com")  // "<agentry.3f…@example.com>"
/// AgentryMessageID.deliveryId(in: id)                                            // delivery
/// ```
public enum AgentryMessageID {
    /// The domain used when the sender's address has none.
    public static let fallbackDomain = "agentry.invalid"

    /// The `Message-ID` of the email of delivery `deliveryId`, in header form.
    public static func make(deliveryId: UUID, domain: String) -> String {
        "<agentry.\(deliveryId.uuidString.lowercased())@\(domain.isEmpty ? fallbackDomain : domain)>"
    }

    /// The delivery id in a `Message-ID` made by ``make(deliveryId:domain:)`` (with or without the
    /// angle brackets), or nil for any other id.
    public static func deliveryId(in messageId: String) -> UUID? {
        var text = Substring(messageId.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        guard text.hasPrefix("agentry."), let at = text.firstIndex(of: "@") else { return nil }
        let id = text[text.index(text.startIndex, offsetBy: 8)..<at]
        guard id.count == 36 else { return nil }
        return UUID(uuidString: String(id))
    }
}
