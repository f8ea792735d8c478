/// Decodes a raw RFC 5322 message (as posted with `Content-Type: message/rfc822`, or in a
/// provider's raw-message field) into an ``InboundEmail``.
///
/// Handles CRLF and bare LF, folded and repeated header fields, RFC 2047 encoded words, RFC 2231
/// parameters, the transfer encodings of RFC 2045, nested multiparts (RFC 2046) and charsets via
/// ``CharsetDecoder``. Decoding is linear in the size of the message.
///
/// ```swift
/// let email = try MIMEParser.parse(Array(request.body))
/// ```
enum MIMEParser {
    /// The email in `bytes`.
    ///
    /// - Throws: ``EmailDecodingError`` when the message has no header section, a header section
    ///   exceeds 256 KiB or 1000 fields, a multipart has no boundary, multiparts nest deeper
    ///   than 16 levels, or there are more than 1000 parts.
    static func parse(_ bytes: [UInt8]) throws(EmailDecodingError) -> InboundEmail {
        let (headers, bodyStart) = try MIMEHeaderFields.parse(bytes, in: 0..<bytes.count)
        guard !headers.fields.isEmpty else { throw .noHeaderSection }
        var walker = MIMEEntityWalker(bytes: bytes)
        try walker.visit(headers: headers, body: bodyStart..<bytes.count, depth: 0, defaultType: "text/plain")
        var email = InboundEmail(decodingHeaders: headers)
        email.text = walker.bestText
        email.attachments = walker.attachments
        return email
    }
}
