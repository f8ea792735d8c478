/// Keeps secrets out of log lines and printed configuration.
public enum Redaction {
    /// What a redacted value is replaced with.
    public static let placeholder = "[REDACTED]"

    /// `url` with the password in its user information replaced by `***`
    /// (`amqp://agentry:***@broker:5672/%2F`); anything that is not such a URL is returned unchanged.
    public static func url(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url
        }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }

    /// `text` with every URL password in it replaced by `***` (for free text such as error messages).
    public static func urls(in text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        return text.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.contains("://") ? url(String($0)) : String($0) }
            .joined(separator: " ")
    }

    /// True for metadata keys that name a secret: they contain `password`, `secret`, `authorization`,
    /// `cookie`, an API key spelling, or `token` (but not `tokens`, which counts model tokens).
    public static func isSensitive(key: String) -> Bool {
        let key = key.lowercased()
        for word in ["password", "passwd", "secret", "authorization", "cookie", "apikey", "api_key", "api-key"]
        where key.contains(word) {
            return true
        }
        var rest = key[...]
        while let range = rest.range(of: "token") {
            if range.upperBound == rest.endIndex || rest[range.upperBound] != "s" { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}
