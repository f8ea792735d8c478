import Foundation

/// The outcome of a delivery: what the ledger recorded for an idempotency key.
public struct DeliveryReceipt: Sendable, Hashable {
    /// How a message left.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The endpoint accepted it.
        case delivered
        /// It was recorded in the local capture only (no endpoint configured for its channel).
        case captured
    }

    /// The `deliveries` row.
    public var id: UUID
    /// The message's channel.
    public var channel: Channel
    /// Who received it (see ``OutboundMessage/target``).
    public var target: String
    /// Delivered or captured.
    public var status: Status
    /// The endpoint's answer in short (`ts ... in C0123`, `Message-ID <...>`, `comment 10001 on OPS-7`),
    /// or why the message was captured.
    public var response: String?
    /// True when the key had been delivered before and nothing was sent this time.
    public var isReplay: Bool

    public init(id: UUID, channel: Channel, target: String, status: Status, response: String?, isReplay: Bool) {
        self.id = id
        self.channel = channel
        self.target = target
        self.status = status
        self.response = response
        self.isReplay = isReplay
    }
}
