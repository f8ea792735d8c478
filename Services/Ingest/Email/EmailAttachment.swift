/// What the gateway records about one attachment of an inbound email: metadata only, no content.
struct EmailAttachment: Sendable, Equatable {
    /// The file name (RFC 2231 / 2047 decoded), from Content-Disposition `filename` or Content-Type `name`.
    var filename: String?
    /// The media type, lowercased, without parameters ("application/pdf").
    var contentType: String
    /// The size of the content in bytes, after transfer decoding.
    var size: Int
}
