/// Text helpers for Slack `mrkdwn`.
public enum SlackText {
    /// `text` with the three characters Slack reserves escaped: `&` → `&amp;`, `<` → `&lt;`,
    /// `>` → `&gt;`. Without this, `<!channel>` in a run's output would ping a whole channel.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
