/// Why an inbound email (a raw message or a provider's form post) could not be decoded.
///
/// `reason` is a complete, human-readable sentence fragment safe to show to the sender of the
/// request: it never quotes more than ``excerptLimit`` characters of the input.
struct EmailDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the input, for example "the message has no header section".
    var reason: String

    /// The most characters of the input that a reason quotes.
    static let excerptLimit = 64

    init(reason: String) {
        self.reason = reason
    }

    var description: String { reason }

    /// `text` cut to ``excerptLimit`` characters (with "…" when cut), for quoting input in a reason.
    static func excerpt(_ text: some StringProtocol) -> String {
        let prefix = text.prefix(excerptLimit)
        return prefix.count < text.count ? String(prefix) + "…" : String(prefix)
    }

    /// The input does not start with header fields.
    static let noHeaderSection = EmailDecodingError(reason: "the message has no header section")

    /// A header section (of the message or of one body part) is larger than `limit` bytes.
    static func headerSectionTooLarge(limit: Int) -> EmailDecodingError {
        EmailDecodingError(reason: "a header section is larger than \(limit / 1024) KiB")
    }

    /// A header section has more than `limit` fields.
    static func tooManyHeaderFields(limit: Int) -> EmailDecodingError {
        EmailDecodingError(reason: "a header section has more than \(limit) fields")
    }

    /// A `multipart/*` entity whose Content-Type carries no usable boundary.
    static let missingBoundary = EmailDecodingError(reason: "multipart body without a boundary parameter")

    /// Multiparts nested more than `limit` levels deep.
    static func nestingTooDeep(limit: Int) -> EmailDecodingError {
        EmailDecodingError(reason: "the message has multipart nesting deeper than \(limit) levels")
    }

    /// More than `limit` body parts in one message or form.
    static func tooManyParts(limit: Int) -> EmailDecodingError {
        EmailDecodingError(reason: "the body has more than \(limit) parts")
    }
}
