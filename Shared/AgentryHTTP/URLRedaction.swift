/// Strips what must never reach a log line or an error from a URL: the user name, the password
/// and the query string (which often carries API keys). Scheme, host, port and path stay.
enum URLRedaction {
    static func redact(_ url: String) -> String {
        var text = Substring(url)
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        if let query = text.firstIndex(of: "?") { text = text[..<query] }
        guard let schemeEnd = text.range(of: "://") else { return String(text) }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
            return String(text[..<authorityStart]) + String(text[text.index(after: at)...])
        }
        return String(text)
    }
}
