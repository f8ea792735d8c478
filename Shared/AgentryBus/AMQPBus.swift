import AgentryContracts
import Foundation
import Logging
import Metrics

/// ``MessageBus`` over an ``AMQPConnection``: envelopes are JSON bodies whose AMQP properties mirror
/// them (`message_id`, `type`, `correlation_id`, `timestamp`, `content_type`, and the `traceparent`
/// header).
public struct AMQPBus: MessageBus {
    public let connection: AMQPConnection
    private let published: Counter
    private let publishFailures: Counter

    public init(connection: AMQPConnection) {
        self.connection = connection
        self.published = Counter(label: "agentry_bus_published_total")
        self.publishFailures = Counter(label: "agentry_bus_publish_failures_total")
    }

    public var isConnected: Bool { connection.isConnected }

    public func publish(_ envelope: Envelope, to route: Route, replyTo: String?, delay: RetryTier?) async throws {
        var properties = AMQPProperties(
            contentType: "application/json", messageId: envelope.id.uuidString.lowercased(),
            type: envelope.type.rawValue, correlationId: envelope.correlationId?.uuidString.lowercased(),
            replyTo: replyTo, timestamp: envelope.occurredAt)
        if let traceparent = envelope.traceparent { properties.headers["traceparent"] = .string(traceparent) }
        var exchange = route.exchange
        if let delay {
            guard let target = AgentryTopology.delayTarget(for: route.exchange) else {
                throw AMQPError(.unroutable, "no delay queues return to exchange '\(route.exchange)'")
            }
            exchange = AgentryTopology.delayExchange
            properties.headers[AgentryTopology.delayTargetHeader] = .string(target)
            properties.headers[AgentryTopology.delayTierHeader] = .string(delay.rawValue)
        }
        let body = try EnvelopeCodec().encode(envelope)
        do {
            try await connection.publish(
                AMQPMessage(body: body, properties: properties), exchange: exchange, routingKey: route.routingKey)
            published.increment()
        } catch {
            publishFailures.increment()
            throw error
        }
    }

    public func subscribe(to queue: String, prefetch: Int) async throws -> EnvelopeSubscription {
        let consumer = try await connection.consume(queue: queue, prefetch: UInt16(clamping: max(1, prefetch)))
        let (stream, continuation) = AsyncThrowingStream<EnvelopeDelivery, any Error>.makeStream()
        let pump = Task {
            do {
                for try await delivery in consumer {
                    let result = Result { try EnvelopeCodec().decode(delivery.body) }
                    continuation.yield(EnvelopeDelivery(
                        result: result, routingKey: delivery.routingKey, deliveryCount: delivery.deliveryCount,
                        replyTo: delivery.properties.replyTo,
                        settler: { settlement in
                            switch settlement {
                            case .ack: delivery.ack()
                            case .requeue: delivery.nack(requeue: true)
                            case .deadLetter: delivery.reject()
                            }
                        }))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return EnvelopeSubscription(stream: stream)
    }
}
