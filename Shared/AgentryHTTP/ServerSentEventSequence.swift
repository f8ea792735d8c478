/// The server-sent events parsed from an asynchronous sequence of byte chunks, such as a streamed
/// ``HTTPResponseBody``. It ends with the chunks (an event without its closing blank line is
/// discarded) and rethrows their error.
/// ```swift
/// for try await event in response.body.serverSentEvents() where event.data != "[DONE]" { ... }
/// ```
public struct ServerSentEventSequence<Base: AsyncSequence>: AsyncSequence
where Base.Element: Sequence, Base.Element.Element == UInt8 {
    public typealias Element = ServerSentEvent

    let base: Base

    /// Iterates the events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []
        var finished = false

        public mutating func next() async throws -> ServerSentEvent? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if finished { return nil }
                if let chunk = try await base.next() {
                    pending = parser.feed(chunk)
                } else {
                    finished = true
                    pending = parser.finish()
                }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}

extension ServerSentEventSequence: Sendable where Base: Sendable {}

extension AsyncSequence where Element: Sequence, Element.Element == UInt8 {
    /// Parses this sequence of byte chunks as a `text/event-stream`.
    public func serverSentEvents() -> ServerSentEventSequence<Self> {
        ServerSentEventSequence(base: self)
    }
}
