/// Delivers outbound messages at most once per idempotency key. ``DeliveryLedger`` is the real one;
/// tests substitute a recorder.
public protocol MessageDeliverer: Sendable {
    /// Delivers `message` unless `key` was delivered (or captured) before, in which case the recorded
    /// receipt is returned and nothing is sent.
    ///
    /// - Throws: ``ChannelError`` when the endpoint refused or could not be reached.
    func deliver(_ message: OutboundMessage, key: String, context: DeliveryContext) async throws -> DeliveryReceipt
}
