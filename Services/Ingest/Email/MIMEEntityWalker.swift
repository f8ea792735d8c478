/// Walks the MIME entity tree of a message (RFC 2045/2046), collecting the body candidates and
/// the attachments, and enforcing the nesting and part-count limits.
///
/// Leaf parts are classified as:
/// - body candidates: `text/plain` or `text/html` without `Content-Disposition: attachment` and
///   without a file name; the first of each type is decoded;
/// - attachments: every other leaf, including `message/rfc822` (counted, not descended).
struct MIMEEntityWalker {
    /// The most levels of nested multiparts.
    static let maxDepth = 16
    /// The most body parts (at every level) in one message.
    static let maxParts = 1000

    /// The whole message.
    let bytes: [UInt8]
    /// Body parts found so far (the message itself is not one).
    private(set) var partCount = 0
    /// The decoded text of the first inline text/plain part.
    private(set) var plain: String?
    /// The decoded text of the first inline text/html part, still HTML.
    private(set) var html: String?
    /// The attachments, in order.
    private(set) var attachments: [EmailAttachment] = []

    /// A walker over the message `bytes`.
    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The best plain-text body: the plain part unless it is blank, else the HTML part as text.
    var bestText: String {
        if let plain, plain.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { return plain }
        if let html { return EmailBytes.normalizedText(HTMLText.plainText(fromHTML: html)) }
        return plain ?? ""
    }

    /// Visits the entity with `headers` whose body is `body`.
    ///
    /// - Parameters:
    ///   - depth: How many multiparts enclose this entity.
    ///   - defaultType: The media type when there is no valid Content-Type (message/rfc822 inside
    ///     multipart/digest, text/plain elsewhere).
    mutating func visit(
        headers: MIMEHeaderFields, body: Range<Int>, depth: Int, defaultType: String
    ) throws(EmailDecodingError) {
        let contentType = headers.first("Content-Type").map(MIMEParameterizedValue.init(parsing:))
        var mediaType = contentType?.value ?? defaultType
        if !mediaType.contains("/") { mediaType = defaultType == "message/rfc822" ? defaultType : "text/plain" }

        if contentType?.topLevelType == "multipart" {
            guard let boundary = contentType?["boundary"], !boundary.isEmpty else { throw .missingBoundary }
            let level = depth + 1
            if level > Self.maxDepth { throw .nestingTooDeep(limit: Self.maxDepth) }
            let split = try MultipartBody.split(
                bytes, in: body, boundary: boundary, maxParts: Self.maxParts - partCount)
            partCount += split.parts.count
            let childDefault = mediaType == "multipart/digest" ? "message/rfc822" : "text/plain"
            for part in split.parts {
                let (partHeaders, bodyStart) = try MIMEHeaderFields.parse(bytes, in: part)
                try visit(
                    headers: partHeaders, body: bodyStart..<part.upperBound, depth: level, defaultType: childDefault)
            }
            return
        }

        let disposition = headers.first("Content-Disposition").map(MIMEParameterizedValue.init(parsing:))
        let filename = (disposition?["filename"] ?? contentType?["name"]).flatMap { $0.isEmpty ? nil : $0 }
        let encoding = headers.first("Content-Transfer-Encoding")
        let isText = mediaType == "text/plain" || mediaType == "text/html"
        if isText, disposition?.value != "attachment", filename == nil {
            guard (mediaType == "text/plain" ? plain : html) == nil else { return }
            let decoded = TransferEncoding.decode(bytes[body], encoding: encoding)
            var text = CharsetDecoder.decode(decoded, charset: contentType?["charset"])
            if mediaType == "text/plain" {
                text = EmailBytes.normalizedText(text)
                if contentType?["format"]?.lowercased() == "flowed" {
                    let deleteSpace = contentType?["delsp"]?.lowercased() == "yes"
                    text = EmailBytes.normalizedText(FlowedText.unflow(text, deleteSpace: deleteSpace))
                }
                plain = text
            } else {
                html = text
            }
            return
        }
        let size = TransferEncoding.decode(bytes[body], encoding: encoding).count
        attachments.append(EmailAttachment(filename: filename, contentType: mediaType, size: size))
    }
}
