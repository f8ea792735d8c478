import AgentryBus
import AgentryContracts
import Foundation
import Synchronization

/// A ``MessageBus`` in memory with the broker's rules, for unit tests of services: topic, direct,
/// fanout and headers routing; mandatory publishing (unroutable is an error); prefetch; manual
/// ack, requeue and reject; delivery limits and dead-lettering; delayed messages held until
/// ``releaseDelayed()``; an outage switch.
///
/// ```swift
/// let bus = InMemoryBus(topology: AgentryTopology.standard())
/// try await bus.publishEvent(envelope)
/// for try await delivery in try await bus.subscribe(to: "director.inbox", prefetch: 8) { ... }
/// ```
public final class InMemoryBus: MessageBus {
    struct Message {
        let body: Data
        let routingKey: String
        let replyTo: String?
        let headers: [String: String]
        var deliveryCount: Int
    }

    struct Queue {
        var spec: AMQPTopology.Queue
        var ready: [Message] = []
        var subscribers: [Int] = []
        var nextSubscriber = 0
    }

    struct Subscriber {
        let queue: String
        let prefetch: Int
        let continuation: AsyncThrowingStream<EnvelopeDelivery, any Error>.Continuation
        var unsettled: [Int: Message] = [:]
    }

    struct State {
        var exchanges: [String: AMQPTopology.Exchange] = [:]
        var queues: [String: Queue] = [:]
        var bindings: [AMQPTopology.Binding] = []
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriberId = 0
        var nextDeliveryTag = 0
        var delayed: [(Message, Route)] = []
        var published: [(Envelope, Route)] = []
        var connected = true
    }

    private let state = Mutex(State())

    /// A bus with `topology` declared.
    public init(topology: AMQPTopology = AgentryTopology.standard()) {
        declare(topology)
    }

    /// Declares more exchanges, queues and bindings.
    public func declare(_ topology: AMQPTopology) {
        state.withLock { state in
            for exchange in topology.exchanges { state.exchanges[exchange.name] = exchange }
            for queue in topology.queues where state.queues[queue.name] == nil {
                state.queues[queue.name] = Queue(spec: queue)
            }
            state.bindings.append(contentsOf: topology.bindings)
        }
    }

    public var isConnected: Bool {
        get { state.withLock { $0.connected } }
        set { state.withLock { $0.connected = newValue } }
    }

    /// Every envelope published so far with its route, oldest first.
    public var published: [(envelope: Envelope, route: Route)] {
        state.withLock { $0.published.map { (envelope: $0.0, route: $0.1) } }
    }

    /// Ready (undelivered) messages in a queue.
    public func readyCount(_ queue: String) -> Int { state.withLock { $0.queues[queue]?.ready.count ?? 0 } }

    /// Delivered but not yet settled messages of a queue.
    public func unsettledCount(_ queue: String) -> Int {
        state.withLock { state in
            state.subscribers.values.filter { $0.queue == queue }.reduce(0) { $0 + $1.unsettled.count }
        }
    }

    /// The envelopes waiting in a queue, decoded (ready ones only).
    public func readyEnvelopes(_ queue: String) -> [Envelope] {
        state.withLock { state in
            (state.queues[queue]?.ready ?? []).compactMap { try? EnvelopeCodec().decode($0.body) }
        }
    }

    public func publish(_ envelope: Envelope, to route: Route, replyTo: String?, delay: RetryTier?) async throws {
        let body = try EnvelopeCodec().encode(envelope)
        try publishRaw(body, to: route, replyTo: replyTo, delay: delay, envelope: envelope)
    }

    /// Publishes raw bytes (e.g. an envelope of an unknown type) as the broker would route them.
    public func publishRaw(_ body: Data, to route: Route, replyTo: String? = nil) throws {
        try publishRaw(body, to: route, replyTo: replyTo, delay: nil, envelope: nil)
    }

    private func publishRaw(
        _ body: Data, to route: Route, replyTo: String?, delay: RetryTier?, envelope: Envelope?
    ) throws {
        let deliveries = try state.withLock { state -> [(Subscriber, EnvelopeDelivery)] in
            guard state.connected else { throw AMQPError(.notConnected, "the in-memory bus is disconnected") }
            let message = Message(body: body, routingKey: route.routingKey, replyTo: replyTo, headers: [:],
                                  deliveryCount: 0)
            if delay != nil {
                guard AgentryTopology.delayTarget(for: route.exchange) != nil else {
                    throw AMQPError(.unroutable, "no delay queues return to exchange '\(route.exchange)'")
                }
                state.delayed.append((message, route))
            } else {
                let queues = Self.route(route, headers: [:], in: state)
                guard !queues.isEmpty else {
                    throw AMQPError(.unroutable, "NO_ROUTE: \(route)", replyCode: 312)
                }
                for queue in queues { state.queues[queue]?.ready.append(message) }
            }
            if let envelope { state.published.append((envelope, route)) }
            return dispatch(&state)
        }
        Self.yield(deliveries)
    }

    /// Delivers every delayed message to its original route, as if its delay had passed.
    public func releaseDelayed() {
        let deliveries = state.withLock { state -> [(Subscriber, EnvelopeDelivery)] in
            let delayed = state.delayed
            state.delayed.removeAll()
            for (message, route) in delayed {
                for queue in Self.route(route, headers: [:], in: state) { state.queues[queue]?.ready.append(message) }
            }
            return dispatch(&state)
        }
        Self.yield(deliveries)
    }

    /// How many messages wait for their delay to pass.
    public var delayedCount: Int { state.withLock { $0.delayed.count } }

    public func subscribe(to queue: String, prefetch: Int) async throws -> EnvelopeSubscription {
        let (stream, continuation) = AsyncThrowingStream<EnvelopeDelivery, any Error>.makeStream()
        let id = try state.withLock { state -> Int in
            guard state.connected else { throw AMQPError(.notConnected, "the in-memory bus is disconnected") }
            guard state.queues[queue] != nil else {
                throw AMQPError(.channelClosed, "NOT_FOUND - no queue '\(queue)'", replyCode: 404)
            }
            let id = state.nextSubscriberId
            state.nextSubscriberId += 1
            state.subscribers[id] = Subscriber(queue: queue, prefetch: max(1, prefetch), continuation: continuation)
            state.queues[queue]?.subscribers.append(id)
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        Self.yield(state.withLock { dispatch(&$0) })
        return EnvelopeSubscription(stream: stream)
    }

    /// Simulates every consumer of `queue` dying: their unsettled messages go back to the queue.
    public func dropSubscribers(of queue: String) {
        let (deliveries, continuations) = state.withLock { state in
            var continuations: [AsyncThrowingStream<EnvelopeDelivery, any Error>.Continuation] = []
            for (id, subscriber) in state.subscribers where subscriber.queue == queue {
                Self.requeueUnsettled(subscriber, in: &state)
                state.subscribers[id] = nil
                state.queues[queue]?.subscribers.removeAll { $0 == id }
                continuations.append(subscriber.continuation)
            }
            return (dispatch(&state), continuations)
        }
        for continuation in continuations {
            continuation.finish(throwing: AMQPError(.connectionLost, "the in-memory consumer was dropped"))
        }
        Self.yield(deliveries)
    }

    /// A subscriber whose stream ended gets nothing more; what it holds stays settleable.
    private func unsubscribe(_ id: Int) {
        state.withLock { state in
            guard let subscriber = state.subscribers[id] else { return }
            state.queues[subscriber.queue]?.subscribers.removeAll { $0 == id }
            if subscriber.unsettled.isEmpty { state.subscribers[id] = nil }
        }
    }

    private func settle(subscriber id: Int, tag: Int, _ settlement: EnvelopeDelivery.Settlement) {
        let deliveries = state.withLock { state -> [(Subscriber, EnvelopeDelivery)] in
            guard var subscriber = state.subscribers[id],
                let message = subscriber.unsettled.removeValue(forKey: tag)
            else { return [] }
            state.subscribers[id] = subscriber
            let queueName = subscriber.queue
            switch settlement {
            case .ack:
                break
            case .requeue:
                var again = message
                again.deliveryCount += 1
                let limit = Self.deliveryLimit(of: state.queues[queueName]?.spec)
                if let limit, again.deliveryCount > limit {
                    Self.deadLetter(message, from: queueName, in: &state)
                } else {
                    state.queues[queueName]?.ready.insert(again, at: 0)
                }
            case .deadLetter:
                Self.deadLetter(message, from: queueName, in: &state)
            }
            if subscriber.unsettled.isEmpty && !(state.queues[queueName]?.subscribers.contains(id) ?? false) {
                state.subscribers[id] = nil
            }
            return dispatch(&state)
        }
        Self.yield(deliveries)
    }

    // MARK: Broker rules

    private static func deliveryLimit(of spec: AMQPTopology.Queue?) -> Int? {
        if case .int(let limit) = spec?.arguments["x-delivery-limit"] { return Int(limit) }
        return nil
    }

    private static func requeueUnsettled(_ subscriber: Subscriber, in state: inout State) {
        for (_, message) in subscriber.unsettled.sorted(by: { $0.key > $1.key }) {
            var again = message
            again.deliveryCount += 1
            state.queues[subscriber.queue]?.ready.insert(again, at: 0)
        }
    }

    private static func deadLetter(_ message: Message, from queue: String, in state: inout State) {
        guard case .string(let exchange) = state.queues[queue]?.spec.arguments["x-dead-letter-exchange"] else {
            return  // no dead-letter exchange: the broker drops it
        }
        for target in route(Route(exchange: exchange, routingKey: message.routingKey), headers: [:], in: state) {
            state.queues[target]?.ready.append(message)
        }
    }

    static func route(_ route: Route, headers: [String: String], in state: State) -> [String] {
        if route.exchange.isEmpty { return state.queues[route.routingKey] == nil ? [] : [route.routingKey] }
        guard let exchange = state.exchanges[route.exchange] else { return [] }
        var queues: [String] = []
        for binding in state.bindings where binding.exchange == route.exchange {
            let matches: Bool
            switch exchange.kind {
            case .direct: matches = binding.routingKey == route.routingKey
            case .fanout: matches = true
            case .topic: matches = TopicPattern.matches(binding.routingKey, route.routingKey)
            case .headers:
                matches = binding.arguments.allSatisfy { key, value in
                    key == "x-match" || headers[key] == value.stringValue
                }
            }
            if matches && !queues.contains(binding.queue) { queues.append(binding.queue) }
        }
        return queues
    }

    private func dispatch(_ state: inout State) -> [(Subscriber, EnvelopeDelivery)] {
        var out: [(Subscriber, EnvelopeDelivery)] = []
        for name in state.queues.keys.sorted() {
            while var queue = state.queues[name], !queue.ready.isEmpty, !queue.subscribers.isEmpty {
                // Round-robin over subscribers with room under their prefetch.
                let count = queue.subscribers.count
                var chosen: Int?
                for offset in 0..<count {
                    let id = queue.subscribers[(queue.nextSubscriber + offset) % count]
                    if let subscriber = state.subscribers[id], subscriber.unsettled.count < subscriber.prefetch {
                        chosen = id
                        queue.nextSubscriber = (queue.nextSubscriber + offset + 1) % count
                        break
                    }
                }
                guard let id = chosen, var subscriber = state.subscribers[id] else { break }
                let message = queue.ready.removeFirst()
                state.queues[name] = queue
                let tag = state.nextDeliveryTag
                state.nextDeliveryTag += 1
                subscriber.unsettled[tag] = message
                state.subscribers[id] = subscriber
                let delivery = EnvelopeDelivery(
                    result: Result { try EnvelopeCodec().decode(message.body) }, routingKey: message.routingKey,
                    deliveryCount: message.deliveryCount, replyTo: message.replyTo,
                    settler: { [weak self] settlement in self?.settle(subscriber: id, tag: tag, settlement) })
                out.append((subscriber, delivery))
            }
        }
        return out
    }

    private static func yield(_ deliveries: [(Subscriber, EnvelopeDelivery)]) {
        for (subscriber, delivery) in deliveries { subscriber.continuation.yield(delivery) }
    }

}
