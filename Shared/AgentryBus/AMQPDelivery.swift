import Foundation

/// A message delivered to a consumer. Acknowledge it with ``ack()`` only after its consequence is
/// durable; ``nack(requeue:)`` hands it back; ``reject()`` dead-letters it.
///
/// A delivery belongs to the connection session that received it: if the connection dropped in
/// between, the broker has already requeued the message and the acknowledgement is dropped.
public struct AMQPDelivery: Sendable {
    public let body: Data
    public let properties: AMQPProperties
    public let exchange: String
    public let routingKey: String
    public let redelivered: Bool
    public let deliveryTag: UInt64
    let channel: UInt16
    let session: UInt64
    let acknowledger: any AMQPAcknowledger

    /// How many times the broker has delivered this message before (quorum queues' `x-delivery-count`).
    public var deliveryCount: Int {
        if case .int(let count) = properties.headers["x-delivery-count"] { return Int(count) }
        return redelivered ? 1 : 0
    }

    /// Acknowledges the message: the broker forgets it.
    public func ack() { acknowledger.settle(self, .ack) }

    /// Negatively acknowledges the message. With `requeue` it goes back to the queue (counting toward
    /// the delivery limit); without, it is dead-lettered.
    public func nack(requeue: Bool = true) { acknowledger.settle(self, requeue ? .requeue : .deadLetter) }

    /// Rejects the message without requeueing: it goes to the dead-letter exchange.
    public func reject() { acknowledger.settle(self, .deadLetter) }
}

/// How a delivery is settled.
enum AMQPSettlement: Sendable {
    case ack
    case requeue
    case deadLetter
}

/// Settles deliveries on the connection that received them.
protocol AMQPAcknowledger: Sendable {
    func settle(_ delivery: AMQPDelivery, _ settlement: AMQPSettlement)
}
