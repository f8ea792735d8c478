import AgentryContracts

/// The envelope-level bus every service talks to: typed envelopes in, typed envelopes out.
///
/// ``AMQPBus`` implements it over RabbitMQ; the test-support module has an in-memory double with the
/// same routing, acknowledgement and dead-lettering rules for unit tests.
public protocol MessageBus: Sendable {
    /// Publishes an envelope, persistent and mandatory, and returns once the broker confirmed it.
    /// With `delay`, the envelope goes through the delay queue of that tier first.
    func publish(_ envelope: Envelope, to route: Route, replyTo: String?, delay: RetryTier?) async throws

    /// Consumes a queue with manual acknowledgement and at most `prefetch` unsettled deliveries.
    func subscribe(to queue: String, prefetch: Int) async throws -> EnvelopeSubscription

    /// True while the bus can publish and consume (readiness).
    var isConnected: Bool { get }
}

extension MessageBus {
    /// Publishes an envelope with no reply queue and no delay.
    public func publish(_ envelope: Envelope, to route: Route) async throws {
        try await publish(envelope, to: route, replyTo: nil, delay: nil)
    }

    /// Publishes a fact on the events exchange, routed by its type.
    public func publishEvent(_ envelope: Envelope) async throws {
        try await publish(envelope, to: .event(envelope.type), replyTo: nil, delay: nil)
    }
}

/// The deliveries of one subscription.
public struct EnvelopeSubscription: AsyncSequence, Sendable {
    public typealias Element = EnvelopeDelivery
    private let stream: AsyncThrowingStream<EnvelopeDelivery, any Error>

    public init(stream: AsyncThrowingStream<EnvelopeDelivery, any Error>) {
        self.stream = stream
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<EnvelopeDelivery, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }
}

/// One delivered message: the decoded envelope (or why it could not be decoded) and the means to
/// settle it. Ack only after the consequence is durable; an undecodable message should be
/// ``reject()``ed so it is dead-lettered, never dropped.
public struct EnvelopeDelivery: Sendable {
    /// How a delivery was settled.
    public enum Settlement: Sendable, Equatable {
        case ack
        case requeue
        case deadLetter
    }

    /// The decoded envelope, or the decoding error (unknown type, unsupported version, malformed).
    public let result: Result<Envelope, any Error>
    public let routingKey: String
    /// How many times this message was delivered before.
    public let deliveryCount: Int
    /// The reply queue for request/reply messages (`model.request`).
    public let replyTo: String?
    private let settler: @Sendable (Settlement) -> Void

    public init(
        result: Result<Envelope, any Error>, routingKey: String, deliveryCount: Int, replyTo: String?,
        settler: @escaping @Sendable (Settlement) -> Void
    ) {
        self.result = result
        self.routingKey = routingKey
        self.deliveryCount = deliveryCount
        self.replyTo = replyTo
        self.settler = settler
    }

    /// The envelope, or the decoding error.
    public func envelope() throws -> Envelope { try result.get() }

    /// The broker forgets the message.
    public func ack() { settler(.ack) }

    /// Hands the message back to the queue (counts toward the delivery limit).
    public func requeue() { settler(.requeue) }

    /// Dead-letters the message.
    public func reject() { settler(.deadLetter) }
}
