/// Builds response heads from the header lines libcurl hands over one at a time.
///
/// libcurl reports every response of a transfer: `1xx` interim responses and followed redirects
/// come before the final one. Each status line starts a new head; the blank line ends it.
struct HTTPResponseHeadParser {
    private var current: HTTPResponseHead?

    /// Consumes one line (with or without its CRLF); returns the head when `line` is the blank
    /// line that ends a header block.
    mutating func consume<Bytes: Collection<UInt8>>(line: Bytes) -> HTTPResponseHead? {
        var bytes = Array(line)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            bytes.removeLast()
        }
        if bytes.isEmpty {
            defer { current = nil }
            return current
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            current = Self.parseStatusLine(text)
            return nil
        }
        guard current != nil else { return nil }
        if let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            appendContinuation(text)
            return nil
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingWhitespace()
        let value = text[text.index(after: colon)...].trimmingWhitespace()
        guard !name.isEmpty else { return nil }
        current?.headers.add(name: name, value: value)
        return nil
    }

    /// Parses `HTTP/1.1 200 OK` or `HTTP/2 200`.
    static func parseStatusLine(_ line: String) -> HTTPResponseHead? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, let status = Int(parts[1]), (100...999).contains(status) else { return nil }
        let reason = parts.count == 3 ? parts[2].trimmingWhitespace() : ""
        return HTTPResponseHead(version: String(parts[0]), status: status, reasonPhrase: reason)
    }

    /// Folds an obsolete continuation line into the previous field's value.
    private mutating func appendContinuation(_ text: String) {
        guard var head = current else { return }
        var fields = Array(head.headers)
        guard var last = fields.popLast() else { return }
        last.value += " " + Substring(text).trimmingWhitespace()
        fields.append(last)
        head.headers = HTTPHeaders(fields.map { ($0.name, $0.value) })
        current = head
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isWhitespace($0) }),
              let end = lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return String(self[start...end])
    }
}
