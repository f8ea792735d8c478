/// RFC 2047 encoded words (`=?charset?B?…?=`, `=?charset?Q?…?=`) in header text.
///
/// Whitespace between two adjacent encoded words is dropped; adjacent words in the same charset
/// are joined before charset decoding, so a multi-byte character split across words survives. An
/// RFC 2231 language suffix (`=?utf-8*en?Q?…?=`) is ignored. Malformed words stay as written.
enum EncodedWord {
    /// `text` with its encoded words decoded.
    static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        let bytes = Array(text.utf8)
        var pieces: [Piece] = []
        var literalStart = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x3D, bytes[index + 1] == 0x3F, let word = parseWord(bytes, at: index) {
                if literalStart < index { pieces.append(.literal(literalStart..<index)) }
                pieces.append(.encoded(charset: word.charset, bytes: word.bytes))
                index = word.end
                literalStart = index
            } else {
                index += 1
            }
        }
        if literalStart < bytes.count { pieces.append(.literal(literalStart..<bytes.count)) }

        var output = ""
        var run: (charset: String, bytes: [UInt8])?
        for (position, piece) in pieces.enumerated() {
            switch piece {
            case .encoded(let charset, let decoded):
                if let current = run, current.charset == charset {
                    run?.bytes.append(contentsOf: decoded)
                } else {
                    if let current = run { output += CharsetDecoder.decode(current.bytes, charset: current.charset) }
                    run = (charset, decoded)
                }
            case .literal(let range):
                let isBlankGap = bytes[range].allSatisfy(EmailBytes.isWhitespace)
                let betweenWords =
                    position > 0 && position + 1 < pieces.count
                    && pieces[position - 1].isEncoded && pieces[position + 1].isEncoded
                if isBlankGap && betweenWords { continue }
                if let current = run { output += CharsetDecoder.decode(current.bytes, charset: current.charset) }
                run = nil
                output += String(decoding: bytes[range], as: UTF8.self)
            }
        }
        if let current = run { output += CharsetDecoder.decode(current.bytes, charset: current.charset) }
        return output
    }

    /// A stretch of header text: literal bytes of the input or the decoded bytes of one encoded word.
    private enum Piece {
        case literal(Range<Int>)
        case encoded(charset: String, bytes: [UInt8])

        var isEncoded: Bool {
            if case .encoded = self { return true }
            return false
        }
    }

    /// The encoded word starting at `start` (at `=?`): its charset (lowercased, language removed),
    /// its decoded bytes and the index after its closing `?=`; nil when malformed.
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> (charset: String, bytes: [UInt8], end: Int)? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != 0x3F {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F, index - charsetStart < 64 else { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < bytes.count, bytes[index + 2] == 0x3F else { return nil }
        var charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self).lowercased()
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let encoding = EmailBytes.lowercased(bytes[index + 1])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        let textStart = index + 3
        var textEnd = textStart
        while textEnd < bytes.count, bytes[textEnd] != 0x3F {
            guard !EmailBytes.isWhitespace(bytes[textEnd]) else { return nil }
            textEnd += 1
        }
        guard textEnd + 1 < bytes.count, bytes[textEnd + 1] == 0x3D else { return nil }
        let text = bytes[textStart..<textEnd]
        let decoded: [UInt8]
        if encoding == 0x62 {
            guard text.allSatisfy({ Base64Lenient.value(of: $0) != nil || $0 == 0x3D }) else { return nil }
            decoded = Base64Lenient.decode(text)
        } else {
            decoded = qDecoded(text)
        }
        return (charset, decoded, textEnd + 2)
    }

    /// The "Q" encoding: `_` is a space, `=XX` a byte; a bad escape is kept literally.
    private static func qDecoded(_ text: ArraySlice<UInt8>) -> [UInt8] {
        EmailBytes.hexUnescaped(text, escape: 0x3D, underscoreIsSpace: true)
    }
}
