import AgentryBus
import AgentryContracts
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// A failure that no redelivery can cure: the delivery is dead-lettered with this reason.
public struct PermanentFailure: Error, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Consumes one queue and hands each envelope to a handler, settling the delivery by the outcome:
///
/// - the handler returns → ack (the handler has made its consequence durable first);
/// - the envelope does not decode (unknown type or version, malformed) → dead-lettered;
/// - the handler throws ``PermanentFailure`` → dead-lettered;
/// - the handler throws anything else → requeued after a short jittered pause; the queue's
///   delivery limit dead-letters a message that keeps failing.
///
/// Up to `prefetch` envelopes are handled concurrently. On graceful shutdown it stops taking
/// deliveries and waits for the handlers in flight; what was prefetched but not handled goes back
/// to the queue when the connection closes.
public struct EnvelopeConsumer: Service {
    public typealias Handler = @Sendable (Envelope, EnvelopeDelivery) async throws -> Void

    private let queue: String
    private let bus: any MessageBus
    private let prefetch: Int
    private let logger: Logger
    private let handler: Handler

    public init(queue: String, bus: any MessageBus, prefetch: Int, logger: Logger, handler: @escaping Handler) {
        self.queue = queue
        self.bus = bus
        self.prefetch = prefetch
        self.logger = logger
        self.handler = handler
    }

    public func run() async throws {
        let handled = Counter(label: "agentry_envelopes_handled_total", dimensions: [("queue", queue), ("outcome", "ack")])
        let deadLettered = Counter(label: "agentry_envelopes_handled_total", dimensions: [("queue", queue), ("outcome", "dead_letter")])
        let requeued = Counter(label: "agentry_envelopes_handled_total", dimensions: [("queue", queue), ("outcome", "requeue")])
        let duration = Timer(label: "agentry_envelope_handling_seconds", dimensions: [("queue", queue)], preferredDisplayUnit: .seconds)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let subscription = try await bus.subscribe(to: queue, prefetch: prefetch)
                logger.info("consuming", metadata: ["queue": "\(queue)", "prefetch": "\(prefetch)"])
                try await withThrowingDiscardingTaskGroup { group in
                    for try await delivery in subscription.cancelOnGracefulShutdown() {
                        group.addTask {
                            let started = ContinuousClock.now
                            let outcome = await self.handle(delivery)
                            duration.recordNanoseconds(started.duration(to: .now).nanoseconds)
                            switch outcome {
                            case .ack: handled.increment()
                            case .deadLetter: deadLettered.increment()
                            case .requeue: requeued.increment()
                            }
                        }
                    }
                }
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                logger.warning("subscription ended; subscribing again", metadata: ["queue": "\(queue)"])
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                logger.warning("consumer failed; subscribing again", metadata: [
                    "queue": "\(queue)", "error.message": "\(error)",
                ])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        logger.info("stopped consuming", metadata: ["queue": "\(queue)"])
    }

    private func handle(_ delivery: EnvelopeDelivery) async -> EnvelopeDelivery.Settlement {
        let envelope: Envelope
        switch delivery.result {
        case .failure(let error):
            logger.error("undecodable envelope dead-lettered", metadata: [
                "queue": "\(queue)", "routing.key": "\(delivery.routingKey)", "error.message": "\(error)",
            ])
            delivery.reject()
            return .deadLetter
        case .success(let decoded):
            envelope = decoded
        }
        var logger = self.logger
        logger[metadataKey: "envelope.type"] = "\(envelope.type.rawValue)"
        logger[metadataKey: "envelope.id"] = "\(envelope.id.uuidString.lowercased())"
        if let runId = envelope.runId { logger[metadataKey: "run.id"] = "\(runId.uuidString.lowercased())" }
        do {
            try await handler(envelope, delivery)
            delivery.ack()
            return .ack
        } catch let failure as PermanentFailure {
            logger.error("envelope dead-lettered", metadata: ["reason": "\(failure.reason)"])
            delivery.reject()
            return .deadLetter
        } catch {
            logger.warning("handling failed; requeued", metadata: [
                "error.message": "\(error)", "delivery.count": "\(delivery.deliveryCount)",
            ])
            // Back off a little so that a dependency that is down is not hammered.
            let pause = min(100 * (1 << min(delivery.deliveryCount, 6)), 5_000)
            try? await Task.sleep(for: .milliseconds(Int.random(in: pause / 2...pause)))
            delivery.requeue()
            return .requeue
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// The duration in whole milliseconds.
    public var milliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
