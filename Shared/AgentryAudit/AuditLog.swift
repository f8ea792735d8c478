import AgentryContracts
import AgentryStore
import Foundation

/// The append-only, hash-chained audit log in PostgreSQL (`audit_log`, migration 0001).
///
/// ``append(_:)`` writes a batch of envelopes in one transaction:
///
/// 1. `pg_advisory_xact_lock` on ``chainLockKey``, so that concurrent writers take turns and
///    never fork the chain (the lock is taken in its own statement, so the statements after it see
///    every entry committed before it was granted; the transaction is READ COMMITTED);
/// 2. envelopes already in the log are skipped: appending is idempotent on the envelope id, so a
///    redelivered envelope adds nothing;
/// 3. each payload (the whole envelope JSON) is rendered by the server as `jsonb` text, the form
///    the hash covers (see ``AuditEntryContent/payloadText``);
/// 4. the last entry's hash is read and each new entry is chained to the one before it;
/// 5. the entries are inserted in chain order and read back: their `seq` order and stored payload
///    text must be the ones hashed, or the transaction is rolled back.
///
/// ```swift
/// let log = AuditLog(client: client)
/// let result = try await log.append(envelopes)   // committed when it returns
/// print("\(result.appended.count) appended, \(result.duplicates.count) already present")
/// ```
public struct AuditLog: Sendable {
    /// The key of the transaction-level advisory lock that serialises appends to the chain.
    public static let chainLockKey: Int64 = 0x4147_5459_4155_4454 // "AGTYAUDT"

    private let client: PostgresClient

    /// Creates a log over `client`'s database (migrated to at least 0001).
    public init(client: PostgresClient) {
        self.client = client
    }

    /// Appends the envelopes not yet in the log, in the given order, in one transaction; returns
    /// once it committed.
    ///
    /// - Throws: ``PostgresError`` (nothing was written), or ``AuditLogError`` when the server did
    ///   not store what was hashed (nothing was written either).
    public func append(_ envelopes: [Envelope]) async throws -> AuditAppendResult {
        var seen = Set<UUID>()
        var batch: [Envelope] = []
        var duplicates: [UUID] = []
        for envelope in envelopes {
            if seen.insert(envelope.id).inserted {
                batch.append(envelope)
            } else {
                duplicates.append(envelope.id)
            }
        }
        guard !batch.isEmpty else { return AuditAppendResult(appended: [], duplicates: duplicates) }
        let codec = EnvelopeCodec()
        let bodies = try batch.map { String(decoding: try codec.encode($0), as: UTF8.self) }

        return try await client.withTransaction(.readCommitted) { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.chainLockKey))")

            let present = Set(try await connection.query("""
                SELECT envelope_id FROM audit_log WHERE envelope_id = ANY(\(batch.map(\.id)))
                """).map { try $0.decode(UUID.self, at: 0) })
            var fresh: [(envelope: Envelope, body: String)] = []
            for (envelope, body) in zip(batch, bodies) {
                if present.contains(envelope.id) {
                    duplicates.append(envelope.id)
                } else {
                    fresh.append((envelope, body))
                }
            }
            guard !fresh.isEmpty else { return AuditAppendResult(appended: [], duplicates: duplicates) }

            let rendered = try await Self.render(fresh.map(\.body), on: connection)
            let specialists = try await Self.specialists(of: fresh.map(\.envelope), on: connection)
            var previous = try await connection.query("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .first.map { try $0.decode(String.self, at: 0) }

            var pending: [(content: AuditEntryContent, prevHash: String?, hash: String)] = []
            pending.reserveCapacity(fresh.count)
            for (item, payloadText) in zip(fresh, rendered) {
                let envelope = item.envelope
                let specialist = StepKey(envelope).flatMap { specialists[$0] }
                let content = AuditEntryContent(
                    envelopeId: envelope.id,
                    occurredAtMilliseconds: AuditEntryContent.milliseconds(of: envelope.occurredAt),
                    tenant: envelope.tenant, runId: envelope.runId,
                    actor: AuditActor.actor(for: envelope, specialist: specialist),
                    action: envelope.type.rawValue, payloadText: payloadText)
                let hash = AuditHash.compute(previous: previous, content: content)
                pending.append((content, previous, hash))
                previous = hash
            }

            let rows = try await connection.query("""
                INSERT INTO audit_log (envelope_id, occurred_at, tenant, run_id, actor, action, payload, prev_hash, hash)
                SELECT e.envelope_id, e.occurred_at::timestamptz, e.tenant, e.run_id, e.actor, e.action,
                       e.payload::jsonb, e.prev_hash, e.hash
                FROM unnest(\(pending.map(\.content.envelopeId))::uuid[],
                            \(fresh.map { RFC3339.string(from: $0.envelope.occurredAt) })::text[],
                            \(pending.map(\.content.tenant))::text[],
                            \(pending.map(\.content.runId))::uuid[],
                            \(pending.map(\.content.actor))::text[],
                            \(pending.map(\.content.action))::text[],
                            \(pending.map(\.content.payloadText))::text[],
                            \(pending.map(\.prevHash))::text[],
                            \(pending.map(\.hash))::text[])
                     WITH ORDINALITY AS e(envelope_id, occurred_at, tenant, run_id, actor, action, payload,
                                          prev_hash, hash, n)
                ORDER BY e.n
                RETURNING seq, envelope_id, payload::text AS payload_text
                """)
            var stored = try rows.map { row in
                (seq: try row.decode(Int64.self, at: 0), envelopeId: try row.decode(UUID.self, at: 1),
                 payloadText: try row.decode(String.self, at: 2))
            }
            stored.sort { $0.seq < $1.seq }
            guard stored.count == pending.count else {
                throw AuditLogError.inconsistentInsert("inserted \(stored.count) rows for \(pending.count) entries")
            }
            var appended: [AuditEntry] = []
            appended.reserveCapacity(pending.count)
            for (row, entry) in zip(stored, pending) {
                guard row.envelopeId == entry.content.envelopeId else {
                    throw AuditLogError.inconsistentInsert(
                        "entry seq \(row.seq) holds envelope \(row.envelopeId.uuidString.lowercased()), "
                            + "but the chain was computed for \(entry.content.envelopeId.uuidString.lowercased())")
                }
                guard row.payloadText == entry.content.payloadText else {
                    throw AuditLogError.inconsistentInsert(
                        "entry seq \(row.seq): the stored payload renders differently from the hashed text")
                }
                appended.append(AuditEntry(seq: row.seq, content: entry.content, prevHash: entry.prevHash, hash: entry.hash))
            }
            return AuditAppendResult(appended: appended, duplicates: duplicates)
        }
    }

    /// The server's `jsonb` text for each JSON document, in order.
    private static func render(_ bodies: [String], on connection: PostgresConnection) async throws -> [String] {
        let rendered = try await connection.query("""
            SELECT (b.body::jsonb)::text FROM unnest(\(bodies)::text[]) WITH ORDINALITY AS b(body, n) ORDER BY b.n
            """).map { try $0.decode(String.self, at: 0) }
        guard rendered.count == bodies.count else {
            throw AuditLogError.inconsistentRendering("rendered \(rendered.count) payloads for \(bodies.count)")
        }
        return rendered
    }

    /// The specialist of each step that a step result in `envelopes` reports on, from `steps`.
    private static func specialists(
        of envelopes: [Envelope], on connection: PostgresConnection
    ) async throws -> [StepKey: Specialist] {
        let keys = Array(Set(envelopes.filter(AuditActor.needsSpecialist).compactMap(StepKey.init)))
        guard !keys.isEmpty else { return [:] }
        let rows = try await connection.query("""
            SELECT s.run_id, s.step_id, s.specialist
            FROM steps s
            JOIN unnest(\(keys.map(\.runId))::uuid[], \(keys.map(\.stepId))::text[]) AS k(run_id, step_id)
              ON s.run_id = k.run_id AND s.step_id = k.step_id
            """)
        var specialists: [StepKey: Specialist] = [:]
        for row in rows {
            let (runId, stepId, name) = try row.decode((UUID, String, String).self)
            if let specialist = Specialist(rawValue: name) {
                specialists[StepKey(runId: runId, stepId: stepId)] = specialist
            }
        }
        return specialists
    }
}

/// A step of a run.
private struct StepKey: Hashable {
    let runId: UUID
    let stepId: String

    init(runId: UUID, stepId: String) {
        self.runId = runId
        self.stepId = stepId
    }

    init?(_ envelope: Envelope) {
        guard let runId = envelope.runId, let stepId = envelope.stepId else { return nil }
        self.init(runId: runId, stepId: stepId)
    }
}
