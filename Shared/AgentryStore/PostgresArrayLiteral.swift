/// Formats and parses one-dimensional PostgreSQL array literals such as `{a,b,"c d",NULL}`.
///
/// Output quotes an element when it is empty, is `NULL` in any case, or contains a brace, comma,
/// double quote, backslash or white space; inside quotes, `"` and `\` are escaped with a backslash.
/// Input accepts quoted and unquoted elements, backslash escapes in both, white space around
/// elements, unquoted `NULL` (any case) as NULL, and an optional dimension prefix (`[0:1]={...}`).
enum PostgresArrayLiteral {
    /// The literal for `elements`; `nil` elements are written as NULL.
    static func format(_ elements: [String?]) -> String {
        var text = "{"
        for (position, element) in elements.enumerated() {
            if position > 0 { text.append(",") }
            guard let element else {
                text.append("NULL")
                continue
            }
            if needsQuotes(element) {
                text.append("\"")
                for character in element.unicodeScalars {
                    if character == "\"" || character == "\\" { text.append("\\") }
                    text.unicodeScalars.append(character)
                }
                text.append("\"")
            } else {
                text.append(element)
            }
        }
        text.append("}")
        return text
    }

    private static func needsQuotes(_ element: String) -> Bool {
        if element.isEmpty || element.lowercased() == "null" { return true }
        return element.utf8.contains { byte in
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\\"),
                 UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0b, 0x0c:
                true
            default:
                false
            }
        }
    }

    /// Parses a one-dimensional literal; throws on malformed or multi-dimensional input.
    static func parse(_ text: String) throws -> [String?] {
        var scanner = ByteScanner(Array(text.utf8))
        if scanner.peek == UInt8(ascii: "[") {
            while let byte = scanner.peek, byte != UInt8(ascii: "=") { scanner.index += 1 }
            guard scanner.take(UInt8(ascii: "=")) else { throw malformed("unterminated dimension prefix") }
        }
        guard scanner.take(UInt8(ascii: "{")) else { throw malformed("missing '{'") }
        var elements: [String?] = []
        skipSpace(&scanner)
        if scanner.take(UInt8(ascii: "}")) {
            skipSpace(&scanner)
            guard scanner.isAtEnd else { throw malformed("text after '}'") }
            return elements
        }
        while true {
            skipSpace(&scanner)
            elements.append(try element(&scanner))
            skipSpace(&scanner)
            if scanner.take(UInt8(ascii: ",")) { continue }
            if scanner.take(UInt8(ascii: "}")) { break }
            throw malformed("expected ',' or '}'")
        }
        skipSpace(&scanner)
        guard scanner.isAtEnd else { throw malformed("text after '}'") }
        return elements
    }

    private static func element(_ scanner: inout ByteScanner) throws -> String? {
        var bytes: [UInt8] = []
        if scanner.take(UInt8(ascii: "\"")) {
            while true {
                guard let byte = scanner.peek else { throw malformed("unterminated quoted element") }
                scanner.index += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = scanner.peek else { throw malformed("dangling backslash") }
                    scanner.index += 1
                    bytes.append(escaped)
                } else {
                    bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        if scanner.peek == UInt8(ascii: "{") { throw malformed("multi-dimensional arrays are not supported") }
        var escapedAny = false
        var lastSignificant = 0
        while let byte = scanner.peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}") {
            scanner.index += 1
            if byte == UInt8(ascii: "\\") {
                guard let escaped = scanner.peek else { throw malformed("dangling backslash") }
                scanner.index += 1
                bytes.append(escaped)
                escapedAny = true
                lastSignificant = bytes.count
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "{") {
                throw malformed("unexpected '\(Character(Unicode.Scalar(byte)))' in an unquoted element")
            } else {
                bytes.append(byte)
                if !isSpace(byte) { lastSignificant = bytes.count }
            }
        }
        bytes.removeSubrange(lastSignificant...)
        guard !bytes.isEmpty else { throw malformed("empty unquoted element") }
        let value = String(decoding: bytes, as: UTF8.self)
        if !escapedAny, value.lowercased() == "null" { return nil }
        return value
    }

    private static func skipSpace(_ scanner: inout ByteScanner) {
        while let byte = scanner.peek, isSpace(byte) { scanner.index += 1 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0d).contains(byte)
    }

    private static func malformed(_ reason: String) -> PostgresCodingFailure {
        PostgresCodingFailure("malformed array literal: \(reason)")
    }
}
