import AgentryBus
import AgentryContracts
import AgentryStore
import Foundation

/// The transactional outbox: envelopes are written in the same transaction as the state change
/// that caused them, and ``OutboxRelay`` publishes them once that transaction has committed.
///
/// ```swift
/// try await store.withTransaction { connection in
///     try await connection.execute("UPDATE runs SET status = 'running' WHERE id = \(runId)")
///     try await Outbox.enqueue(planned, to: .event(.runPlanned), on: connection)
/// }
/// relay.wake()
/// ```
public enum Outbox {
    /// Writes `envelope` into the outbox on `connection` (inside the caller's transaction).
    /// Enqueuing the same envelope id twice is a no-op.
    public static func enqueue(
        _ envelope: Envelope, to route: Route, replyTo: String? = nil, delay: RetryTier? = nil,
        on connection: PostgresConnection
    ) async throws {
        let body = try EnvelopeCodec().encode(envelope)
        let text = String(decoding: body, as: UTF8.self)
        try await connection.execute("""
            INSERT INTO outbox (envelope_id, exchange, routing_key, envelope, reply_to, delay_tier)
            VALUES (\(envelope.id), \(route.exchange), \(route.routingKey), \(text)::jsonb, \(replyTo), \(delay?.rawValue))
            ON CONFLICT (envelope_id) DO NOTHING
            """)
    }

    /// Writes a fact onto the events exchange (routing key = its type).
    public static func enqueueEvent(_ envelope: Envelope, on connection: PostgresConnection) async throws {
        try await enqueue(envelope, to: .event(envelope.type), on: connection)
    }
}
