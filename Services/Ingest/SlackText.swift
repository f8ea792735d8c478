import Foundation

/// Turns the text of a Slack message into the plain request text a run works on.
///
/// - The leading mention of the app (`<@U0123>` or `<@U0123|name>`) is removed.
/// - Slack's link markup becomes plain text: `<https://x|label>` and `<https://x>` become the
///   address, `<mailto:a@b.c|a@b.c>` the address, `<#C0123|ops>` becomes `#ops` (a channel without
///   a name stays `<#C0123>`, which the planner reads as the channel id), `<!here>` becomes `@here`.
///   Other mentions (`<@U0456>`) are kept.
/// - Slack's escapes `&lt;`, `&gt;` and `&amp;` are undone.
enum SlackText {
    static func request(from text: String) -> String {
        var rest = Substring(text).drop { $0.isWhitespace }
        if rest.hasPrefix("<@"), let close = rest.firstIndex(of: ">") {
            rest = rest[rest.index(after: close)...]
        }
        return unescape(plain(String(rest))).trimmingWhitespace()
    }

    /// Slack markup `<…>` replaced by plain text.
    static func plain(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "<", let close = text[index...].firstIndex(of: ">"),
                  !text[text.index(after: index)..<close].contains("<")
            else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let inner = text[text.index(after: index)..<close]
            output += replacement(for: inner) ?? "<\(inner)>"
            index = text.index(after: close)
        }
        return output
    }

    private static func replacement(for inner: Substring) -> String? {
        let parts = inner.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let target = parts[0]
        let label = parts.count > 1 ? parts[1] : ""
        if target.hasPrefix("#") {
            return label.isEmpty ? nil : "#" + label
        }
        if target.hasPrefix("@") { return nil }
        if target.hasPrefix("!") {
            let name = target.dropFirst().split(separator: "^").first ?? ""
            return label.isEmpty ? "@" + name : String(label)
        }
        if target.lowercased().hasPrefix("mailto:") { return String(target.dropFirst("mailto:".count)) }
        let lower = target.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return String(target) }
        return nil
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
