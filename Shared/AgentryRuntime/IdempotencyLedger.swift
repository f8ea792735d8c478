import AgentryStore
import Foundation

/// `processed_messages`: which envelopes a consumer has already handled.
public enum IdempotencyLedger {
    /// Records that `consumer` handles `envelopeId`, inside the caller's transaction. Returns false
    /// when it was recorded before (a redelivery or a duplicate publish): the caller skips the work
    /// and the transaction commits nothing new.
    public static func claim(consumer: String, envelopeId: UUID, on connection: PostgresConnection) async throws -> Bool {
        let inserted = try await connection.execute("""
            INSERT INTO processed_messages (consumer, envelope_id) VALUES (\(consumer), \(envelopeId))
            ON CONFLICT DO NOTHING
            """)
        return inserted == 1
    }
}
