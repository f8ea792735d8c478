import Foundation

/// The encodings a mail message needs to stay 7-bit clean: quoted-printable and base64 bodies
/// (RFC 2045) and encoded-words in headers (RFC 2047).
enum MIMEEncoding {
    /// Text with every line break (CRLF, LF or CR) turned into CRLF.
    static func normalizingLineBreaks(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text: hard line breaks become CRLF, lines are
    /// soft-broken to at most 76 characters, trailing spaces and tabs are encoded.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let lines = normalizingLineBreaks(text).components(separatedBy: "\r\n")
        for (number, line) in lines.enumerated() {
            if number > 0 { output += Array("\r\n".utf8) }
            let bytes = Array(line.utf8)
            var length = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast)
                let token: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                if length + token.count > 75 {
                    output += Array("=\r\n".utf8)
                    length = 0
                }
                output += token
                length += token.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Base64 of UTF-8 text with CRLF line breaks, in lines of 76 characters.
    static func base64Lines(_ text: String) -> String {
        let encoded = Data(normalizingLineBreaks(text).utf8).base64EncodedString()
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// Whether a header text can be written as is: printable ASCII, and nothing that looks like an
    /// encoded-word.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
    }

    /// RFC 2047 `B` encoded-words for `text`, each at most 75 characters and never splitting a
    /// character, separated by a folding CRLF SP.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty, chunk.count + bytes.count > 39 {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Data(bytes).base64EncodedString())?="
    }

    /// An unstructured header value (such as a subject), folded: plain ASCII is folded at spaces,
    /// anything else becomes encoded-words. Line breaks in `text` are turned into spaces.
    static func unstructured(_ text: String, headerNameLength: Int) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
        let words = flat.split(separator: " ", omittingEmptySubsequences: false)
        guard isPlainHeaderText(flat), words.allSatisfy({ $0.count <= 76 }) else { return encodedWords(flat) }
        var output = ""
        var lineLength = headerNameLength + 2
        for (index, word) in words.enumerated() {
            if index > 0 {
                if lineLength + 1 + word.count > 78, !word.isEmpty {
                    output += "\r\n"
                    lineLength = 0
                }
                output += " "
                lineLength += 1
            }
            output += word
            lineLength += word.count
        }
        return output
    }

    /// A display name as an atom phrase, a quoted-string, or encoded-words.
    static func displayName(_ name: String) -> String {
        let flat = name.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard isPlainHeaderText(flat) else { return encodedWords(flat) }
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
        if flat.unicodeScalars.allSatisfy({ $0.isASCII && atext.contains($0) }) { return flat }
        let escaped = flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}
