/// Splits a multipart body (RFC 2046 section 5.1.1; RFC 7578 for forms) into its body parts.
///
/// A delimiter line is `--boundary` at the start of a line, optionally followed by `--` (the
/// close delimiter) and blanks; the line break before a delimiter belongs to it. Text before the
/// first delimiter (preamble) and after the close delimiter (epilogue) is ignored; a missing
/// close delimiter ends the last part at the end of the body. CRLF and bare LF both work.
enum MultipartBody {
    /// The result of splitting: the parts' byte ranges and whether any delimiter was found.
    struct Split {
        /// Each part (its header section and body), in order.
        var parts: [Range<Int>]
        /// Whether the boundary occurred at all (false: the whole body was preamble).
        var foundDelimiter: Bool
    }

    /// The parts of `range` of `bytes` delimited by `boundary`.
    ///
    /// - Throws: ``EmailDecodingError/tooManyParts(limit:)`` when there are more than `maxParts` parts.
    static func split(
        _ bytes: [UInt8], in range: Range<Int>, boundary: String, maxParts: Int
    ) throws(EmailDecodingError) -> Split {
        let delimiter: [UInt8] = [0x2D, 0x2D] + Array(boundary.utf8)
        var parts: [Range<Int>] = []
        var partStart: Int?
        var foundDelimiter = false
        var lineStart = range.lowerBound
        let end = range.upperBound
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, bytes[lineEnd] != EmailBytes.lf { lineEnd += 1 }
            if bytes[lineStart] == 0x2D, let isClose = delimiterKind(bytes, lineStart..<lineEnd, delimiter) {
                foundDelimiter = true
                if let start = partStart {
                    var partEnd = lineStart
                    if partEnd > start, bytes[partEnd - 1] == EmailBytes.lf {
                        partEnd -= 1
                        if partEnd > start, bytes[partEnd - 1] == EmailBytes.cr { partEnd -= 1 }
                    }
                    parts.append(start..<partEnd)
                    if parts.count > maxParts { throw .tooManyParts(limit: maxParts) }
                }
                if isClose { return Split(parts: parts, foundDelimiter: true) }
                partStart = lineEnd < end ? lineEnd + 1 : end
            }
            lineStart = lineEnd + 1
        }
        if let start = partStart {
            parts.append(start..<end)
            if parts.count > maxParts { throw .tooManyParts(limit: maxParts) }
        }
        return Split(parts: parts, foundDelimiter: foundDelimiter)
    }

    /// Whether `line` is a delimiter line: nil when not, false for a part delimiter, true for the close delimiter.
    private static func delimiterKind(_ bytes: [UInt8], _ line: Range<Int>, _ delimiter: [UInt8]) -> Bool? {
        guard line.count >= delimiter.count else { return nil }
        for offset in 0..<delimiter.count where bytes[line.lowerBound + offset] != delimiter[offset] { return nil }
        var cursor = line.lowerBound + delimiter.count
        var isClose = false
        if cursor + 1 < line.upperBound, bytes[cursor] == 0x2D, bytes[cursor + 1] == 0x2D {
            isClose = true
            cursor += 2
        }
        while cursor < line.upperBound {
            guard EmailBytes.isWhitespace(bytes[cursor]) else { return nil }
            cursor += 1
        }
        return isClose
    }
}
