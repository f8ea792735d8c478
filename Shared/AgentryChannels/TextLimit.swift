/// Cuts texts to what a channel accepts.
public enum TextLimit {
    /// What a cut text ends with.
    public static let marker = "… (truncated)"

    /// `text` cut to at most `limit` characters, ending in ``marker`` when it was cut.
    public static func truncate(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - marker.count))) + marker
    }
}
