import AgentryAudit
import AgentryContracts

/// Where the writer appends its batches: the audit log in PostgreSQL, or a double in tests.
protocol AuditSink: Sendable {
    /// Appends the envelopes not yet recorded, durably, and returns what was written.
    func append(_ envelopes: [Envelope]) async throws -> AuditAppendResult
}

extension AuditLog: AuditSink {}
