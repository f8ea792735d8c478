/// A structured header value `token; name=value; …` such as Content-Type (RFC 2045 section 5.1)
/// or Content-Disposition (RFC 2183), with its parameters decoded.
///
/// Parameter values may be tokens or quoted strings; RFC 2231 extended values (`name*=utf-8''…`)
/// and continuations (`name*0*=…; name*1=…`) are joined and charset-decoded and take precedence
/// over a plain value of the same name; RFC 2047 encoded words in plain values (common in
/// filenames, though not standard) are decoded. Comments are skipped, a missing `;` between
/// parameters is tolerated.
///
/// ```swift
/// let type = MIMEParameterizedValue(parsing: #"multipart/mixed; boundary="b1""#)
/// type.value          // "multipart/mixed"
/// type["boundary"]    // "b1"
/// ```
struct MIMEParameterizedValue: Sendable, Equatable {
    /// The leading token, lowercased ("text/plain", "attachment"); empty when absent.
    var value: String
    /// The parameters by lowercased name; the first of a repeated name wins.
    var parameters: [String: String]

    /// The parameter named `name` (give it lowercased).
    subscript(name: String) -> String? { parameters[name] }

    /// The media type's top-level type ("multipart" for "multipart/mixed").
    var topLevelType: Substring { value.prefix { $0 != "/" } }

    /// The most RFC 2231 continuation sections joined for one parameter.
    static let maxSections = 100

    /// Parses `text`; never fails (unparseable pieces are skipped).
    init(parsing text: String) {
        let bytes = Array(text.utf8)
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespaceAndComments()
        let start = scanner.index
        while let byte = scanner.peek, byte != 0x3B, !EmailBytes.isWhitespace(byte), byte != 0x28 { scanner.index += 1 }
        value = String(decoding: bytes[start..<scanner.index], as: UTF8.self).lowercased()

        var plain: [String: String] = [:]
        var sections: [String: [Int: (encoded: Bool, value: String)]] = [:]
        while true {
            scanner.skipSeparators()
            guard scanner.peek != nil else { break }
            let nameStart = scanner.index
            while let byte = scanner.peek, byte != 0x3D, byte != 0x3B, !EmailBytes.isWhitespace(byte), byte != 0x28 {
                scanner.index += 1
            }
            let rawName = String(decoding: bytes[nameStart..<scanner.index], as: UTF8.self).lowercased()
            scanner.skipWhitespaceAndComments()
            guard scanner.peek == 0x3D else {
                // A name without a value: skip to the next separator.
                if scanner.index == nameStart { scanner.index += 1 }
                continue
            }
            scanner.index += 1
            scanner.skipWhitespaceAndComments()
            let parameterValue = scanner.parameterValue()
            guard !rawName.isEmpty else { continue }
            if let (base, section, encoded) = Self.extendedName(rawName) {
                if section <= Self.maxSections, sections[base, default: [:]][section] == nil {
                    sections[base, default: [:]][section] = (encoded, parameterValue)
                }
            } else if plain[rawName] == nil {
                plain[rawName] = parameterValue.contains("=?") ? EncodedWord.decode(parameterValue) : parameterValue
            }
        }
        for (base, parts) in sections {
            if let joined = Self.join(parts) { plain[base] = joined }
        }
        parameters = plain
    }

    /// Splits an RFC 2231 name (`name*`, `name*0`, `name*0*`) into base name, section and whether
    /// the section is percent-encoded; nil for a plain name.
    private static func extendedName(_ name: String) -> (base: String, section: Int, encoded: Bool)? {
        guard let star = name.firstIndex(of: "*") else { return nil }
        let base = String(name[..<star])
        var rest = name[name.index(after: star)...]
        let encoded = rest.hasSuffix("*") || rest.isEmpty
        if rest.hasSuffix("*") { rest = rest.dropLast() }
        if rest.isEmpty { return base.isEmpty ? nil : (base, 0, encoded) }
        guard !base.isEmpty, rest.count <= 4, rest.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let section = Int(rest)
        else { return nil }
        return (base, section, encoded)
    }

    /// The value of RFC 2231 sections 0, 1, 2, … (stopping at the first gap), charset-decoded.
    private static func join(_ parts: [Int: (encoded: Bool, value: String)]) -> String? {
        guard let first = parts[0] else { return nil }
        var charset: String?
        var bytes: [UInt8] = []
        var section = 0
        while let part = parts[section] {
            var text = Substring(part.value)
            if section == 0, first.encoded {
                // charset'language'value
                let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    charset = pieces[0].isEmpty ? nil : String(pieces[0])
                    text = pieces[2]
                }
            }
            bytes.append(contentsOf: part.encoded ? percentDecoded(text) : Array(text.utf8))
            section += 1
        }
        return CharsetDecoder.decode(bytes, charset: charset)
    }

    /// `%XX` escapes decoded; a `%` without two hex digits is kept.
    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        EmailBytes.hexUnescaped(ArraySlice(text.utf8), escape: 0x25)
    }

    /// A cursor over the bytes of a structured header value.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        /// Skips whitespace and RFC 5322 comments (nested parentheses, backslash escapes).
        mutating func skipWhitespaceAndComments() {
            while let byte = peek {
                if EmailBytes.isWhitespace(byte) {
                    index += 1
                } else if byte == 0x28 {
                    skipComment()
                } else {
                    return
                }
            }
        }

        /// Skips whitespace, comments and `;` separators.
        mutating func skipSeparators() {
            while let byte = peek, byte == 0x3B || EmailBytes.isWhitespace(byte) || byte == 0x28 {
                if byte == 0x28 { skipComment() } else { index += 1 }
            }
        }

        /// Skips one comment starting at `(`; an unclosed comment runs to the end.
        mutating func skipComment() {
            index = EmailBytes.endOfComment(bytes, from: index)
        }

        /// A quoted string (unescaped) or an unquoted value running to the next `;` (trimmed).
        mutating func parameterValue() -> String {
            if peek == 0x22 {
                let (content, end) = EmailBytes.quotedString(bytes, from: index)
                index = end
                return String(decoding: content, as: UTF8.self)
            }
            let start = index
            while let byte = peek, byte != 0x3B { index += 1 }
            let range = EmailBytes.trimmed(bytes, start..<index)
            return String(decoding: bytes[range], as: UTF8.self)
        }
    }
}
