import AgentryContracts

/// What was read from a page: the `browser.open` tool's output.
struct PageContent: Sendable, Equatable {
    /// The URL the page ended up at, after redirects.
    var url: String
    /// The document's title (empty when it has none).
    var title: String
    /// The `innerText` of the selector's first match, or of the body.
    var text: String
    /// True when `text` was cut at the worker's limit.
    var truncated: Bool

    /// The tool output: `{"url", "title", "text", "truncated"}`.
    var json: JSONValue {
        ["url": .string(url), "title": .string(title), "text": .string(text), "truncated": .bool(truncated)]
    }
}
