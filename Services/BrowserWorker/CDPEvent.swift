import AgentryContracts

/// A DevTools event: a message with a `method` and no `id`, such as `Page.lifecycleEvent`.
struct CDPEvent: Sendable, Equatable {
    /// The event's name, e.g. `Page.lifecycleEvent`.
    var method: String
    /// Its parameters (an empty object when Chromium sent none).
    var params: JSONValue
    /// The session it belongs to; `nil` for browser-level events.
    var sessionId: String?
}
