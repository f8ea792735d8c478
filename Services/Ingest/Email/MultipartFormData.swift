/// Parses `multipart/form-data` bodies (RFC 7578), such as the posts of inbound-mail providers.
///
/// The boundary comes from the Content-Type parameter (quoted or not). Parts are split by
/// ``MultipartBody`` (CRLF expected, bare LF tolerated, a missing close delimiter tolerated) and
/// their headers read by ``MIMEHeaderFields``; the field name and file name come from
/// Content-Disposition. Parts without a name are skipped.
///
/// ```swift
/// let parts = try MultipartFormData.parse(body, contentType: "multipart/form-data; boundary=xYz")
/// ```
enum MultipartFormData {
    /// The most parts a form may have.
    static let maxParts = 1000

    /// The named parts of `body`, in order.
    ///
    /// - Throws: ``EmailDecodingError`` when `contentType` is not multipart or has no boundary, the
    ///   boundary never occurs in the body, a part's header section is too large, or there are
    ///   more than ``maxParts`` parts.
    static func parse(_ body: [UInt8], contentType: String) throws(EmailDecodingError) -> [FormPart] {
        let type = MIMEParameterizedValue(parsing: contentType)
        guard type.topLevelType == "multipart" else {
            let given = EmailDecodingError.excerpt(contentType)
            throw EmailDecodingError(reason: "the body is not multipart/form-data (Content-Type \"\(given)\")")
        }
        guard let boundary = type["boundary"], !boundary.isEmpty else {
            throw EmailDecodingError(reason: "the form's Content-Type has no boundary parameter")
        }
        let split = try MultipartBody.split(body, in: 0..<body.count, boundary: boundary, maxParts: maxParts)
        guard split.foundDelimiter else {
            throw EmailDecodingError(reason: "the form body does not contain its boundary")
        }
        var parts: [FormPart] = []
        for range in split.parts {
            let (headers, bodyStart) = try MIMEHeaderFields.parse(body, in: range)
            guard let disposition = headers.first("Content-Disposition").map(MIMEParameterizedValue.init(parsing:)),
                let name = disposition["name"]
            else { continue }
            parts.append(
                FormPart(
                    name: name, filename: disposition["filename"], contentType: headers.first("Content-Type"),
                    body: Array(body[bodyStart..<range.upperBound])))
        }
        return parts
    }
}
