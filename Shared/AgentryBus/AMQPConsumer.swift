/// The deliveries of one consumer, as an `AsyncSequence`. Ending the iteration (or cancelling the
/// consuming task) cancels the consumer on the broker; deliveries already received can still be
/// settled.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    private let stream: AsyncThrowingStream<AMQPDelivery, any Error>
    /// The consumer tag on the broker.
    public let tag: String

    init(stream: AsyncThrowingStream<AMQPDelivery, any Error>, tag: String) {
        self.stream = stream
        self.tag = tag
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }
}
