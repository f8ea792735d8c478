/// A request as the offline planner reads it: the trimmed text and its whitespace-separated
/// tokens, each with its position in the text and a copy stripped of surrounding punctuation.
///
/// Everything the planner looks for (URLs, email addresses, `#channels`, issue keys, keywords)
/// lives inside one token, so scanning tokens keeps the planner linear in the request's length.
struct RequestText: Sendable {
    /// One whitespace-separated piece of the text.
    struct Token: Sendable {
        /// Where the token is in ``RequestText/text``.
        let range: Range<String.Index>
        /// The token as written.
        let raw: Substring
        /// The token without leading and trailing punctuation such as `(`, `"`, `,`, `.`, `?`.
        let core: Substring
        /// ``core``, lowercased.
        let lower: String
    }

    /// The request, trimmed.
    let text: String
    /// The tokens, in order.
    let tokens: [Token]

    init(_ text: String) {
        self.text = text
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard !text[index].isWhitespace else {
                index = text.index(after: index)
                continue
            }
            let start = index
            while index < text.endIndex, !text[index].isWhitespace { index = text.index(after: index) }
            let raw = text[start..<index]
            let core = Self.stripPunctuation(raw)
            tokens.append(Token(range: start..<index, raw: raw, core: core, lower: core.lowercased()))
        }
        self.tokens = tokens
    }

    /// The lowercased cores of every token, for keyword tests.
    var words: [String] { tokens.map(\.lower) }

    /// True when a token's core, lowercased, is one of `candidates`.
    func contains(anyOf candidates: Set<String>) -> Bool {
        tokens.contains { candidates.contains($0.lower) }
    }

    /// True when the lowercased words contain `phrase` (space-separated words) in sequence.
    func contains(phrase: String) -> Bool {
        let wanted = phrase.split(separator: " ").map(String.init)
        guard !wanted.isEmpty, wanted.count <= tokens.count else { return false }
        let words = self.words
        for start in 0...(words.count - wanted.count) where words[start] == wanted[0] {
            if (1..<wanted.count).allSatisfy({ words[start + $0] == wanted[$0] }) { return true }
        }
        return false
    }

    /// The text from the start of token `index` to the end, or empty when there is no such token.
    func text(fromToken index: Int) -> Substring {
        guard index < tokens.count else { return text[text.endIndex...] }
        return text[tokens[index].range.lowerBound...]
    }

    /// The text strictly between tokens `first` and `last` (exclusive), trimmed.
    func text(betweenToken first: Int, and last: Int) -> String {
        guard first + 1 < last, last <= tokens.count else { return "" }
        let end = last < tokens.count ? tokens[last].range.lowerBound : text.endIndex
        return String(text[tokens[first].range.upperBound..<end]).trimmingWhitespace()
    }

    /// Characters removed from both ends of a token to find its core.
    static let surroundingPunctuation: Set<Character> = [
        "(", ")", "[", "]", "{", "}", "<", ">", "\"", "'", "`", ",", ";", ":", ".", "!", "?", "“", "”", "‘", "’", "*", "_",
    ]

    static func stripPunctuation(_ raw: Substring) -> Substring {
        var core = raw
        while let first = core.first, surroundingPunctuation.contains(first) { core = core.dropFirst() }
        while let last = core.last, surroundingPunctuation.contains(last) { core = core.dropLast() }
        return core
    }
}
