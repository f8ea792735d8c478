/// Byte-level helpers shared by the email decoders, which work on UTF-8 or raw message bytes.
enum EmailBytes {
    /// Carriage return.
    static let cr: UInt8 = 0x0D
    /// Line feed.
    static let lf: UInt8 = 0x0A
    /// Space.
    static let space: UInt8 = 0x20
    /// Horizontal tab.
    static let tab: UInt8 = 0x09

    /// Space or horizontal tab (RFC 5322 `WSP`).
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Space, tab, CR, LF, vertical tab or form feed.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || (byte >= 0x09 && byte <= 0x0D) }

    /// The value of an ASCII hex digit (either case), or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// `byte` lowercased if it is an ASCII capital letter.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Whether two strings are equal ignoring ASCII case, without allocating.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && zip(lhs.utf8, rhs.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// Whether `bytes[index...]` starts with `prefix`, ignoring ASCII case (`prefix` must be lowercase).
    static func hasPrefix(_ bytes: [UInt8], at index: Int, end: Int, lowercase prefix: [UInt8]) -> Bool {
        guard end - index >= prefix.count else { return false }
        for offset in 0..<prefix.count where lowercased(bytes[index + offset]) != prefix[offset] { return false }
        return true
    }

    /// The range `range` of `bytes` without leading and trailing whitespace.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Header or field bytes as text: UTF-8 when valid (8-bit headers are usually UTF-8), Latin-1 otherwise.
    static func text(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return CharsetDecoder.latin1(bytes)
    }

    /// Text with CRLF and lone CR turned into LF and trailing whitespace removed; other content untouched.
    static func normalizedText(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == cr {
                output.append(lf)
                previousWasCR = true
                continue
            }
            if byte == lf, previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            output.append(byte)
        }
        while let last = output.last, isWhitespace(last) { output.removeLast() }
        return String(decoding: output, as: UTF8.self)
    }

    /// The index just after the RFC 5322 comment starting at `start` (a `(`), nested comments and
    /// backslash escapes honoured; an unclosed comment runs to the end.
    static func endOfComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x5C: index += 1
            case 0x28: depth += 1
            case 0x29:
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return bytes.count
    }

    /// The unescaped content of the quoted string starting at `start` (a `"`), and the index just
    /// after its closing quote (the end when it is unclosed). A final lone backslash is kept.
    static func quotedString(_ bytes: [UInt8], from start: Int) -> (content: [UInt8], end: Int) {
        var content: [UInt8] = []
        var index = start + 1
        while index < bytes.count, bytes[index] != 0x22 {
            if bytes[index] == 0x5C, index + 1 < bytes.count { index += 1 }
            content.append(bytes[index])
            index += 1
        }
        return (content, min(index + 1, bytes.count))
    }

    /// `text` with every `escape` followed by two hex digits (either case) replaced by that byte; an
    /// escape without them is kept as it is. With `underscoreIsSpace` (RFC 2047's "Q"), `_` is a space.
    static func hexUnescaped(_ text: ArraySlice<UInt8>, escape: UInt8, underscoreIsSpace: Bool = false) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if underscoreIsSpace, byte == 0x5F {
                output.append(space)
            } else if byte == escape, index + 2 < text.endIndex,
                let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
