import Foundation

extension JSONSchemaValidator {
    /// The JSON value in a model's reply text, or `nil` when there is none.
    ///
    /// Models wrap JSON in several ways; this tries, in order:
    /// 1. the whole text as one JSON value (surrounding whitespace allowed);
    /// 2. each fenced code block (a line starting with three backticks, such as ```` ```json ````, up to
    ///    the next such line or the end of the text), as one JSON value, at most 64 of them;
    /// 3. the first balanced `{…}` in the text that parses as a JSON object, skipping prose around it.
    ///    A balanced candidate that does not parse is skipped whole; when a `{` never closes, the search
    ///    goes on after it. At most 64 candidates are tried, so hostile text costs linear time.
    ///
    /// ```swift
    /// JSONSchemaValidator.parseJSON("Here is the plan:\n```json\n{\"steps\": []}\n```")  // ["steps": []]
    /// ```
    public static func parseJSON(_ text: String) -> JSONValue? {
        let bytes = Array(text.utf8)
        if let whole = ModelReplyText.decode(bytes[...]) {
            return whole
        }
        for block in ModelReplyText.fencedBlocks(in: bytes).prefix(ModelReplyText.maximumAttempts) {
            if let value = ModelReplyText.decode(block) {
                return value
            }
        }
        return ModelReplyText.firstObject(in: bytes)
    }
}

/// Finding the JSON in a model's reply text, byte by byte (the delimiters are all ASCII, so UTF-8
/// sequences never contain them).
enum ModelReplyText {
    private static let newline = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let backtick = UInt8(ascii: "`")
    private static let openBrace = UInt8(ascii: "{")
    private static let closeBrace = UInt8(ascii: "}")
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// How many fenced blocks, and how many `{` in prose, are tried: each costs at most one pass over the text.
    static let maximumAttempts = 64

    /// `bytes` decoded as one JSON value, or `nil` when they are not exactly one (plus whitespace).
    static func decode(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The contents of fenced code blocks: a line whose first non-blank characters are three backticks
    /// opens a block (the rest of that line is its language tag) and the next such line closes it; an
    /// unclosed block runs to the end of the text. JSON strings cannot hold a raw newline, so a fence
    /// line is never inside a JSON value.
    static func fencedBlocks(in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var blocks: [ArraySlice<UInt8>] = []
        var contentStart: Int?
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: newline) ?? bytes.count
            var index = lineStart
            while index < lineEnd, bytes[index] == space || bytes[index] == tab {
                index += 1
            }
            if lineEnd - index >= 3, bytes[index..<index + 3].allSatisfy({ $0 == backtick }) {
                if let start = contentStart {
                    blocks.append(bytes[start..<lineStart])
                    contentStart = nil
                } else {
                    contentStart = min(lineEnd + 1, bytes.count)
                }
            }
            lineStart = lineEnd + 1
        }
        if let start = contentStart {
            blocks.append(bytes[start...])
        }
        return blocks
    }

    /// The first balanced `{…}` in `bytes` that parses as a JSON object, giving up after
    /// `maximumAttempts` candidates.
    static func firstObject(in bytes: [UInt8]) -> JSONValue? {
        var searchStart = 0
        var attempts = 0
        while attempts < maximumAttempts, let open = bytes[searchStart...].firstIndex(of: openBrace) {
            attempts += 1
            if let close = matchingBrace(in: bytes, from: open) {
                if let value = decode(bytes[open...close]), case .object = value {
                    return value
                }
                searchStart = close + 1
            } else {
                searchStart = open + 1
            }
        }
        return nil
    }

    /// The index of the `}` that closes the `{` at `open`, counting braces outside JSON strings, or
    /// `nil` when it never closes.
    static func matchingBrace(in bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for index in open..<bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == backslash {
                    escaped = true
                } else if byte == quote {
                    inString = false
                }
                continue
            }
            switch byte {
            case quote:
                inString = true
            case openBrace:
                depth += 1
            case closeBrace:
                depth -= 1
                if depth == 0 { return index }
            default:
                break
            }
        }
        return nil
    }
}
