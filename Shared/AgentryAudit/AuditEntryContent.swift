import Foundation

/// The facts of one audit entry that its hash covers, in exactly the form the hash takes them.
///
/// Every field can be recomputed from what `audit_log` stores, which is what lets
/// ``AuditVerifier`` check an entry years after it was written:
///
/// | field | column | form |
/// |---|---|---|
/// | ``envelopeId`` | `envelope_id` | lowercase UUID |
/// | ``occurredAtMilliseconds`` | `occurred_at` | milliseconds since 1970-01-01T00:00:00Z |
/// | ``tenant`` | `tenant` | as stored |
/// | ``runId`` | `run_id` | lowercase UUID, or empty when NULL |
/// | ``actor`` | `actor` | as stored |
/// | ``action`` | `action` | as stored (the envelope type) |
/// | ``payloadText`` | `payload` | `payload::text`: PostgreSQL's own rendering of the `jsonb` value |
public struct AuditEntryContent: Sendable, Hashable {
    /// The envelope the entry records; unique in the log.
    public var envelopeId: UUID
    /// When the fact happened, in whole milliseconds since the Unix epoch (the envelope's precision).
    public var occurredAtMilliseconds: Int64
    /// The tenant the envelope belongs to.
    public var tenant: String
    /// The run the envelope belongs to, if any.
    public var runId: UUID?
    /// The service or person that produced the envelope (see ``AuditActor``).
    public var actor: String
    /// What happened: the envelope type, e.g. `step.completed`.
    public var action: String
    /// The payload as PostgreSQL renders the stored `jsonb` value (`payload::text`).
    ///
    /// `jsonb` does not keep the text it was given (it sorts keys, drops white space and duplicate
    /// keys), so the hash covers PostgreSQL's rendering of the stored value rather than the bytes
    /// that were sent. ``AuditLog`` obtains that rendering from the server inside the appending
    /// transaction and stores the very same text, so the hash is recomputable from the table.
    public var payloadText: String

    /// Creates the hashed content of an entry.
    public init(
        envelopeId: UUID, occurredAtMilliseconds: Int64, tenant: String, runId: UUID?, actor: String,
        action: String, payloadText: String
    ) {
        self.envelopeId = envelopeId
        self.occurredAtMilliseconds = occurredAtMilliseconds
        self.tenant = tenant
        self.runId = runId
        self.actor = actor
        self.action = action
        self.payloadText = payloadText
    }
}
