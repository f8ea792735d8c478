import AgentryStore
import Foundation
import Logging
import Metrics

/// Delivers outbound messages through the `deliveries` table, at most once per idempotency key.
///
/// For each key it inserts a row (or finds the existing one) and locks it for the length of the
/// delivery, so that two deliveries of the same key (a redelivered envelope, two replicas) never
/// send twice: the second waits for the first and then returns its recorded receipt. A row already
/// `delivered` or `captured` is never sent again. Otherwise the message goes to its endpoint (row
/// `delivered`, with the endpoint's answer in `response`), or, when its channel has no endpoint, to
/// the local capture (row `captured`, nothing sent). A failed send leaves the row `failed` with the
/// reason, and a later attempt with the same key sends again.
///
/// A crash after the endpoint accepted a message but before the row was committed makes the next
/// attempt send again: delivery is at least once, and exactly once whenever the process survives
/// the send. HTTP sends carry the key as `Idempotency-Key`; emails carry a `Message-ID` derived
/// from the row, so a repeat looks the same to the receiver.
///
/// Each delivery holds one database connection while it sends: size `AGENTRY_DB_POOL_SIZE` for the
/// deliveries a process runs at once.
///
/// ```swift
/// let ledger = DeliveryLedger(store: store, channels: OutboundChannels(configuration: configuration), logger: logger)
/// let receipt = try await ledger.deliver(.slack(message), key: item.idempotencyKey,
///                                        context: .step(runId: runId, stepId: item.stepId))
/// ```
public struct DeliveryLedger: MessageDeliverer {
    private let store: PostgresClient
    private let channels: OutboundChannels
    private let logger: Logger
    private let lockTimeout: Duration

    /// - Parameters:
    ///   - store: The database holding `deliveries`.
    ///   - channels: The endpoints.
    ///   - logger: Where deliveries are logged (targets and outcomes, never credentials).
    ///   - lockTimeout: How long to wait for another delivery of the same key; by default twice the
    ///     channel timeout plus ten seconds, so a peer's send can finish.
    public init(store: PostgresClient, channels: OutboundChannels, logger: Logger, lockTimeout: Duration? = nil) {
        self.store = store
        self.channels = channels
        self.logger = logger
        self.lockTimeout = lockTimeout ?? channels.configuration.timeout * 2 + .seconds(10)
    }

    private enum Outcome {
        case finished(DeliveryReceipt)
        case failed(ChannelError)
    }

    public func deliver(_ message: OutboundMessage, key: String, context: DeliveryContext) async throws -> DeliveryReceipt {
        guard !key.isEmpty else {
            throw ChannelError(.invalidMessage, channel: message.channel, "a delivery needs an idempotency key")
        }
        var logger = self.logger
        logger[metadataKey: "delivery.key"] = "\(key)"
        logger[metadataKey: "delivery.channel"] = "\(message.channel.rawValue)"
        if let runId = context.runId { logger[metadataKey: "run.id"] = "\(runId.uuidString.lowercased())" }
        let started = ContinuousClock.now
        let outcome: Outcome
        do {
            outcome = try await store.withTransaction { connection in
                try await deliver(message, key: key, context: context, on: connection, logger: logger)
            }
        } catch let error as PostgresError where error.sqlState == "55P03" {
            Self.count(message.channel, "busy")
            throw ChannelError(.busy, channel: message.channel, "another delivery of \(key) is still in progress")
        }
        let elapsed = started.duration(to: .now).components
        Metrics.Timer(label: "agentry_delivery_seconds", dimensions: [("channel", message.channel.rawValue)],
                      preferredDisplayUnit: .seconds)
            .recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        switch outcome {
        case .finished(let receipt):
            Self.count(message.channel, receipt.isReplay ? "replayed" : receipt.status.rawValue)
            return receipt
        case .failed(let error):
            Self.count(message.channel, "failed")
            throw error
        }
    }

    private func deliver(
        _ message: OutboundMessage, key: String, context: DeliveryContext, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Outcome {
        let channel = message.channel.rawValue
        let target = message.target
        let payload = PostgresJSON(message.payload)
        let (seconds, attoseconds) = lockTimeout.components
        let timeoutMilliseconds = String(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        _ = try await connection.query("SELECT set_config('lock_timeout', \(timeoutMilliseconds), true)")
        try await connection.execute("""
            INSERT INTO deliveries (id, idempotency_key, run_id, step_id, kind, channel, target, payload, status)
            VALUES (\(UUID()), \(key), \(context.runId), \(context.stepId), \(context.kind.rawValue), \(channel),
                    \(target), \(payload), 'pending')
            ON CONFLICT (idempotency_key) DO NOTHING
            """)
        let rows = try await connection.query("""
            SELECT id, channel, target, status, response FROM deliveries WHERE idempotency_key = \(key) FOR UPDATE
            """)
        guard let row = rows.first else {
            throw PostgresError(.decoding, "the delivery row for the key vanished")
        }
        let id = try row.decode(UUID.self, column: "id")
        let recordedStatus = try row.decode(String.self, column: "status")
        if let status = DeliveryReceipt.Status(rawValue: recordedStatus) {
            let recordedChannel = Channel(rawValue: try row.decode(String.self, column: "channel")) ?? message.channel
            logger.info("already delivered; not sending again", metadata: ["delivery.id": "\(id.uuidString.lowercased())"])
            return .finished(DeliveryReceipt(
                id: id, channel: recordedChannel, target: try row.decode(String.self, column: "target"),
                status: status, response: try row.decode(String?.self, column: "response"), isReplay: true))
        }

        switch channels.disposition(for: message) {
        case .capture(let reason):
            try await connection.execute("""
                UPDATE deliveries SET status = 'captured', attempts = attempts + 1, response = \(reason),
                    delivered_at = now(), channel = \(channel), target = \(target), payload = \(payload)
                WHERE id = \(id)
                """)
            logger.info("message captured", metadata: [
                "delivery.id": "\(id.uuidString.lowercased())", "delivery.target": "\(target)", "reason": "\(reason)",
            ])
            return .finished(DeliveryReceipt(
                id: id, channel: message.channel, target: target, status: .captured, response: reason, isReplay: false))
        case .send:
            let failure: ChannelError
            do {
                let response = try await channels.send(message, idempotencyKey: key, deliveryId: id)
                try await connection.execute("""
                    UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, response = \(response),
                        delivered_at = now(), channel = \(channel), target = \(target), payload = \(payload)
                    WHERE id = \(id)
                    """)
                logger.info("message delivered", metadata: [
                    "delivery.id": "\(id.uuidString.lowercased())", "delivery.target": "\(target)",
                    "delivery.response": "\(response)",
                ])
                return .finished(DeliveryReceipt(
                    id: id, channel: message.channel, target: target, status: .delivered, response: response,
                    isReplay: false))
            } catch let error as ChannelError {
                failure = error
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as PostgresError {
                throw error
            } catch {
                failure = ChannelError(.unavailable, channel: message.channel, "\(error)")
            }
            try await connection.execute("""
                UPDATE deliveries SET status = 'failed', attempts = attempts + 1, response = \(failure.description),
                    channel = \(channel), target = \(target), payload = \(payload)
                WHERE id = \(id)
                """)
            logger.warning("delivery failed", metadata: [
                "delivery.id": "\(id.uuidString.lowercased())", "delivery.target": "\(target)",
                "error.code": "\(failure.code)", "error.message": "\(failure.message)",
                "retryable": "\(failure.isRetryable)",
            ])
            return .failed(failure)
        }
    }

    private static func count(_ channel: Channel, _ outcome: String) {
        Counter(label: "agentry_deliveries_total", dimensions: [("channel", channel.rawValue), ("outcome", outcome)])
            .increment()
    }
}
