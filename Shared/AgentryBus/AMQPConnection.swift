import Foundation
import Logging

/// A connection to RabbitMQ over librabbitmq, with its own serial lane (one thread) that owns the C
/// connection: publishers, consumers and declarations from any task are queued to that lane, so no
/// blocking C call ever runs on Swift's cooperative pool.
///
/// Publishing is persistent, mandatory and confirmed: ``publish(_:exchange:routingKey:mandatory:)``
/// returns only when the broker has confirmed the message, and throws if it was unroutable or
/// refused. Many tasks may publish at once; confirms are matched to their publishers. A lost
/// connection is re-established with jittered back-off; the declared topology is re-declared and
/// consumers resume.
///
/// ```swift
/// let connection = try await AMQPConnection.connect(
///     endpoint: try AMQPEndpoint(url: "amqp://agentry:agentry@127.0.0.1:5672/%2F"), logger: logger)
/// try await connection.declare(AgentryTopology.standard)
/// try await connection.publish(AMQPMessage(body: data), exchange: "agentry.events", routingKey: "run.requested")
/// for try await delivery in try await connection.consume(queue: "director.inbox", prefetch: 32) {
///     // make the consequence durable, then:
///     delivery.ack()
/// }
/// await connection.close()
/// ```
public final class AMQPConnection: Sendable {
    public let endpoint: AMQPEndpoint
    private let lane: AMQPLane
    private let policy: ReconnectPolicy
    private let logger: Logger
    private let name: String

    /// Creates a connection that is not started yet; see ``start()`` and ``connect(endpoint:name:policy:logger:)``.
    public init(endpoint: AMQPEndpoint, name: String = "agentry", policy: ReconnectPolicy = ReconnectPolicy(),
                logger: Logger) {
        self.endpoint = endpoint
        self.name = name
        self.policy = policy
        self.logger = logger
        self.lane = AMQPLane()
    }

    /// Creates a connection, starts its lane and waits for the first successful connection.
    /// Throws the connection error if the first attempt fails (and closes the lane).
    public static func connect(
        endpoint: AMQPEndpoint, name: String = "agentry", policy: ReconnectPolicy = ReconnectPolicy(),
        logger: Logger
    ) async throws -> AMQPConnection {
        let connection = AMQPConnection(endpoint: endpoint, name: name, policy: policy, logger: logger)
        connection.start()
        do {
            try await connection.waitForFirstConnection()
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Starts the lane thread, which connects and keeps reconnecting until ``close()``.
    public func start() {
        let lane = self.lane
        let session = AMQPSessionBox(AMQPSession(
            endpoint: endpoint, policy: policy, lane: lane, acknowledger: self, logger: logger))
        let thread = Thread { session.session.run() }
        thread.name = "amqp-\(name)"
        thread.start()
    }

    /// True while the connection to the broker is established (readiness).
    public var isConnected: Bool { lane.isConnected }

    /// Waits until connected, or throws the last connection error if the first attempt fails.
    private func waitForFirstConnection() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = lane.enqueue { session in
                if session.handle != nil {
                    continuation.resume()
                } else if let error = session.lastConnectError {
                    continuation.resume(throwing: error)
                } else {
                    session.waitingForFirstConnection.append(continuation)
                }
            }
            if !accepted { continuation.resume(throwing: AMQPError(.closed, "the connection was closed")) }
        }
    }

    /// Waits until the connection is established, polling until `timeout`.
    public func waitUntilConnected(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !isConnected {
            guard clock.now < deadline else {
                throw AMQPError(.timedOut, "not connected to \(endpoint) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `body` on the lane with the session and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable (AMQPSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = lane.enqueue { session in continuation.resume(with: Result { try body(session) }) }
            if !accepted { continuation.resume(throwing: AMQPError(.closed, "the connection was closed")) }
        }
    }

    /// Publishes a message and waits for the broker's confirm.
    ///
    /// - Throws: ``AMQPError`` `.notConnected` while reconnecting, `.unroutable` when `mandatory` and no
    ///   queue is bound, `.nacked` when the broker refuses it, `.connectionLost` when the connection
    ///   dropped before the confirm (the message may or may not have been enqueued).
    public func publish(
        _ message: AMQPMessage, exchange: String, routingKey: String, mandatory: Bool = true
    ) async throws {
        guard isConnected else { throw AMQPError(.notConnected, "not connected to \(endpoint)") }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = lane.enqueue { session in
                session.publish(message, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                                continuation: continuation)
            }
            if !accepted { continuation.resume(throwing: AMQPError(.closed, "the connection was closed")) }
        }
    }

    /// Declares exchanges, queues and bindings now, and again after every reconnect.
    public func declare(_ topology: AMQPTopology) async throws {
        try await perform { session in
            try session.apply(topology)
            session.topology = session.topology.merging(topology)
        }
    }

    /// Starts consuming `queue` with manual acknowledgement and at most `prefetch` unacknowledged
    /// deliveries. Deliveries continue across reconnects; ending the iteration cancels the consumer.
    public func consume(queue: String, prefetch: UInt16 = 32) async throws -> AMQPConsumer {
        let tag = "\(name).\(queue).\(UUID().uuidString.prefix(8))"
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        let lane = self.lane
        continuation.onTermination = { _ in
            lane.enqueue { session in session.cancelConsumer(tag: tag) }
        }
        try await perform { session in
            try session.addConsumer(AMQPSession.Consumer(
                tag: tag, queue: queue, prefetch: prefetch, continuation: continuation))
        }
        return AMQPConsumer(stream: stream, tag: tag)
    }

    /// Message and consumer counts of an existing queue.
    public func queueStatus(_ queue: String) async throws -> AMQPQueueStatus {
        try await perform { try $0.queueStatus(queue) }
    }

    /// Removes every ready message from `queue`; returns how many were removed.
    @discardableResult
    public func purge(queue: String) async throws -> Int {
        try await perform { try $0.purge(queue) }
    }

    /// Deletes a queue (and forgets it from the replayed topology).
    public func delete(queue: String) async throws {
        try await perform { session in
            try session.deleteQueue(queue)
            session.topology.queues.removeAll { $0.name == queue }
            session.topology.bindings.removeAll { $0.queue == queue }
        }
    }

    /// Deletes an exchange (and forgets it from the replayed topology).
    public func delete(exchange: String) async throws {
        try await perform { session in
            try session.deleteExchange(exchange)
            session.topology.exchanges.removeAll { $0.name == exchange }
            session.topology.bindings.removeAll { $0.exchange == exchange }
        }
    }

    /// Closes the connection: in-flight confirms fail with `.closed`, consumers finish, the lane exits.
    public func close() async {
        if lane.enqueue({ session in session.requestStop() }) || lane.isAccepting == false {
            await lane.waitForExit()
        }
    }
}

extension AMQPConnection: AMQPAcknowledger {
    func settle(_ delivery: AMQPDelivery, _ settlement: AMQPSettlement) {
        lane.enqueue { session in session.settle(delivery, settlement) }
    }
}

/// Carries the lane-confined session into its thread.
///
/// `@unchecked Sendable` is sound: the session is created on the starting thread, handed to the lane
/// thread once, and used only there afterwards.
private final class AMQPSessionBox: @unchecked Sendable {
    let session: AMQPSession
    init(_ session: AMQPSession) { self.session = session }
}
