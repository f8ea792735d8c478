/// The header section of a message or body part (RFC 5322 section 2.2), in order, repeated fields kept.
///
/// ```swift
/// let (headers, bodyStart) = try MIMEHeaderFields.parse(bytes, in: 0..<bytes.count)
/// headers.first("subject")   // case-insensitive
/// ```
struct MIMEHeaderFields: Sendable, Equatable {
    /// The fields in the order they appear.
    var fields: [MIMEHeaderField] = []

    /// The most bytes a header section may take.
    static let maxBytes = 256 * 1024
    /// The most fields a header section may have.
    static let maxFields = 1000

    /// The value of the first field named `name` (case-insensitive), or nil.
    func first(_ name: String) -> String? {
        fields.first { EmailBytes.equalsIgnoringCase($0.name, name) }?.value
    }

    /// The values of every field named `name` (case-insensitive), in order.
    func all(_ name: String) -> [String] {
        fields.filter { EmailBytes.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` (case-insensitive) is present.
    func contains(_ name: String) -> Bool {
        fields.contains { EmailBytes.equalsIgnoringCase($0.name, name) }
    }

    /// Parses the header section at the start of `range` of `bytes`.
    ///
    /// Accepts CRLF and bare LF line endings, folded fields, whitespace before the colon (obsolete
    /// syntax), raw 8-bit values (UTF-8, else Latin-1) and a leading mbox `From ` line. The
    /// section ends at the first empty line; a line that is neither a field nor a continuation
    /// also ends it (the body then starts at that line), as does the end of `range`.
    ///
    /// - Returns: The fields (possibly none) and the index where the body starts.
    /// - Throws: ``EmailDecodingError`` when the section exceeds ``maxBytes`` or ``maxFields``.
    static func parse(
        _ bytes: [UInt8], in range: Range<Int>
    ) throws(EmailDecodingError) -> (headers: MIMEHeaderFields, bodyStart: Int) {
        var headers = MIMEHeaderFields()
        var pending: (name: String, value: [UInt8])?
        var lineStart = range.lowerBound
        let end = range.upperBound

        /// Appends the field being collected, if any.
        func flush() {
            guard let field = pending else { return }
            let text = EmailBytes.text(field.value)
            headers.fields.append(MIMEHeaderField(name: field.name, value: text.trimmingBlanks()))
            pending = nil
        }

        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, bytes[lineEnd] != EmailBytes.lf { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            if next - range.lowerBound > maxBytes { throw .headerSectionTooLarge(limit: maxBytes) }
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == EmailBytes.cr { contentEnd -= 1 }

            if contentEnd == lineStart {
                flush()
                return (headers, next)
            }
            if EmailBytes.isBlank(bytes[lineStart]) {
                // A continuation: unfolding removes only the line break.
                pending?.value.append(contentsOf: bytes[lineStart..<contentEnd])
            } else if let colon = fieldColon(bytes, lineStart..<contentEnd) {
                flush()
                if headers.fields.count >= maxFields { throw .tooManyHeaderFields(limit: maxFields) }
                var nameEnd = colon
                while nameEnd > lineStart, EmailBytes.isBlank(bytes[nameEnd - 1]) { nameEnd -= 1 }
                let name = String(decoding: bytes[lineStart..<nameEnd], as: UTF8.self)
                pending = (name, Array(bytes[(colon + 1)..<contentEnd]))
            } else if headers.fields.isEmpty, pending == nil, lineStart == range.lowerBound,
                EmailBytes.hasPrefix(bytes, at: lineStart, end: contentEnd, lowercase: Array("from ".utf8))
            {
                // The mbox separator line ("From sender date") before the first field.
            } else {
                flush()
                return (headers, lineStart)
            }
            lineStart = next
        }
        flush()
        return (headers, end)
    }

    /// The index of the colon ending a valid field name at the start of `line`, or nil.
    ///
    /// A name is one or more printable ASCII characters other than the colon, optionally
    /// followed by blanks before the colon.
    private static func fieldColon(_ bytes: [UInt8], _ line: Range<Int>) -> Int? {
        var index = line.lowerBound
        while index < line.upperBound, bytes[index] > 0x20, bytes[index] < 0x7F, bytes[index] != 0x3A { index += 1 }
        guard index > line.lowerBound else { return nil }
        while index < line.upperBound, EmailBytes.isBlank(bytes[index]) { index += 1 }
        return index < line.upperBound && bytes[index] == 0x3A ? index : nil
    }
}
