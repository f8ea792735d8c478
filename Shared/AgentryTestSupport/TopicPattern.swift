/// AMQP topic-exchange matching: `*` matches one dot-separated word, `#` zero or more.
public enum TopicPattern {
    /// True when `routingKey` matches the binding `pattern`.
    public static func matches(_ pattern: String, _ routingKey: String) -> Bool {
        let words = pattern.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let keys = routingKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return match(words[...], keys[...])
    }

    private static func match(_ pattern: ArraySlice<String>, _ key: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return key.isEmpty }
        switch first {
        case "#":
            let rest = pattern.dropFirst()
            for split in key.startIndex...key.endIndex where match(rest, key[split...]) { return true }
            return false
        case "*":
            return !key.isEmpty && match(pattern.dropFirst(), key.dropFirst())
        default:
            return key.first == first && match(pattern.dropFirst(), key.dropFirst())
        }
    }
}
