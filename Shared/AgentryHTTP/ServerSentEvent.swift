/// One event of a `text/event-stream` (server-sent events), as LLM providers stream completions.
public struct ServerSentEvent: Sendable, Hashable {
    /// The event type: the last `event:` field, or `message` when there was none.
    public var event: String
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The last event ID seen so far in the stream (`id:` fields persist across events), if any.
    public var id: String?
    /// The reconnection time in milliseconds from a `retry:` field received with this event.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
