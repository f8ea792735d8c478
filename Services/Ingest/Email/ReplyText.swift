/// The new content of a reply: the text the sender wrote above the quoted original.
///
/// ```swift
/// ReplyText.newContent("Sounds good.\n\nOn Mon, 3 Jun 2024 at 10:00, Ana <ana@example.com> wrote:\n> Shall we?")
/// // "Sounds good."
/// ```
enum ReplyText {
    /// The part of `text` (LF or CRLF line breaks) before the quoted original, without `>`-quoted lines
    /// and without a signature after a `-- ` line, trimmed; the trimmed `text` when that is empty.
    ///
    /// The quoted original starts at the first of:
    /// - an attribution line "On … wrote:" (also wrapped onto a second line), "Le … a écrit :",
    ///   "Am … schrieb …:", "El … escribió:", "Il … ha scritto:", "Op … schreef …:";
    /// - a separator line "-----Original Message-----" (or its German and French forms) or a
    ///   line of underscores followed by a "From:" line;
    /// - an Outlook header block: a "From:" / "De :" / "Von:" line, after a blank line or at the
    ///   top, followed within four lines by "Sent:", "Date:", "To:" or "Subject:" (or their
    ///   French and German forms).
    static func newContent(_ text: String) -> String {
        // "\r\n" is one Character, so split on it as well as on "\n" and "\r".
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        var kept: [Substring] = []
        for (index, line) in lines.enumerated() {
            if startsQuotedOriginal(lines, at: index) { break }
            if line == "-- " { break }
            if line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(">") { continue }
            kept.append(line)
        }
        let result = kept.joined(separator: "\n").trimmingBlanks()
        return result.isEmpty ? text.trimmingBlanks() : result
    }

    /// Whether the quoted original starts at line `index`.
    private static func startsQuotedOriginal(_ lines: [Substring], at index: Int) -> Bool {
        let line = lines[index].trimmingBlanks()
        guard !line.isEmpty else { return false }
        let next = index + 1 < lines.count ? lines[index + 1].trimmingBlanks() : ""
        if isAttribution(line) || (isAttributionStart(line) && isAttribution(line + " " + next)) { return true }
        let lowered = line.lowercased()
        if isSeparator(lowered) { return true }
        if lowered.count >= 20, lowered.allSatisfy({ $0 == "_" }), isFromLine(next.lowercased()) { return true }
        if isFromLine(lowered), index == 0 || lines[index - 1].trimmingBlanks().isEmpty {
            let following = lines[(index + 1)..<min(lines.count, index + 5)].map { $0.trimmingBlanks().lowercased() }
            return following.contains(where: isOutlookHeaderLine)
        }
        return false
    }

    /// A complete attribution line in one of the supported languages.
    private static func isAttribution(_ line: String) -> Bool {
        let text = line.replacingNonBreakingSpaces()
        guard text.count <= 400 else { return false }
        let lowered = text.lowercased()
        if lowered.hasPrefix("on "), lowered.hasSuffix("wrote:") { return true }
        if lowered.hasPrefix("le "), lowered.hasSuffix("a écrit :") || lowered.hasSuffix("a écrit:") { return true }
        if lowered.hasPrefix("am "), lowered.contains(" schrieb "), lowered.hasSuffix(":") { return true }
        if lowered.hasPrefix("am "), lowered.hasSuffix("schrieb:") { return true }
        if lowered.hasPrefix("el "), lowered.hasSuffix("escribió:") { return true }
        if lowered.hasPrefix("il "), lowered.hasSuffix("ha scritto:") { return true }
        if lowered.hasPrefix("op "), lowered.contains(" schreef "), lowered.hasSuffix(":") { return true }
        return false
    }

    /// A line that could be the first half of a wrapped attribution.
    private static func isAttributionStart(_ line: String) -> Bool {
        let lowered = line.lowercased()
        return ["on ", "le ", "am ", "el ", "il ", "op "].contains(where: lowered.hasPrefix) && !lowered.hasSuffix(":")
    }

    /// "-----Original Message-----" and its translations.
    private static func isSeparator(_ lowered: String) -> Bool {
        guard lowered.hasPrefix("--") else { return false }
        let core = lowered.trimmingAny(of: "- ")
        let separators = [
            "original message", "ursprüngliche nachricht", "message d'origine", "mensaje original",
            "forwarded message", "message transféré", "weitergeleitete nachricht",
        ]
        return separators.contains(core)
    }

    /// An Outlook header block's first line ("From: …").
    private static func isFromLine(_ lowered: String) -> Bool {
        let lowered = lowered.filter { $0 != "*" }
        return ["from:", "de :", "de:", "von:", "van:"].contains(where: lowered.hasPrefix)
    }

    /// The other lines of an Outlook header block.
    private static func isOutlookHeaderLine(_ lowered: String) -> Bool {
        let lowered = lowered.filter { $0 != "*" }
        let names = [
            "sent:", "date:", "to:", "subject:", "envoyé :", "envoyé:", "à :", "objet :",
            "gesendet:", "an:", "betreff:", "datum:",
        ]
        return names.contains(where: lowered.hasPrefix)
    }
}

extension String {
    /// The text with U+00A0 and U+202F (used before French punctuation) as plain spaces.
    fileprivate func replacingNonBreakingSpaces() -> String {
        String(unicodeScalars.map { $0 == "\u{A0}" || $0 == "\u{202F}" ? " " : Character($0) })
    }

    /// The text without leading and trailing characters from `characters`.
    fileprivate func trimmingAny(of characters: String) -> String {
        let set = Set(characters)
        guard let first = firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = lastIndex(where: { !set.contains($0) })!
        return String(self[first...last])
    }
}
