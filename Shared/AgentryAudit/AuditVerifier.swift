import AgentryStore
import Foundation

/// Recomputes the audit chain from what `audit_log` stores and names the first broken link.
///
/// Entries are read in `seq` order a page at a time (never the whole log at once), inside one
/// read-only REPEATABLE READ transaction so that the log is seen as of one moment while writers
/// keep appending.
///
/// - The whole log: every entry's hash is recomputed and every `prev_hash` must be the hash of
///   the entry before it; the first entry has none. This proves no entry was changed, removed or
///   inserted.
/// - A tenant or a run: each selected entry's hash is recomputed, and its links to the entries
///   just before and after it in the whole log are checked. This proves the selected entries are
///   unchanged and in place; only a whole-log verification proves nothing was removed elsewhere.
///
/// ```swift
/// let outcome = try await AuditVerifier(client: client).verify()
/// print(outcome.summary)   // "audit chain verified: 1532 entries, head 3f0c…"
/// ```
public struct AuditVerifier: Sendable {
    private let client: PostgresClient
    private let pageSize: Int

    /// Creates a verifier reading `pageSize` entries per query.
    public init(client: PostgresClient, pageSize: Int = 1000) {
        self.client = client
        self.pageSize = max(1, pageSize)
    }

    /// Verifies the entries in `scope`; `progress` is told the number checked after each page.
    public func verify(
        _ scope: AuditScope = .all, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> AuditVerification {
        try await client.withTransaction(.repeatableRead) { connection in
            try await connection.execute("SET TRANSACTION READ ONLY")
            if scope.isWholeLog {
                return try await verifyWholeLog(on: connection, progress: progress)
            }
            return try await verify(scope, on: connection, progress: progress)
        }
    }

    private func verifyWholeLog(
        on connection: PostgresConnection, progress: (@Sendable (Int) -> Void)?
    ) async throws -> AuditVerification {
        var checker = AuditChainChecker()
        var after = Int64.min
        while true {
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM audit_log a
                WHERE a.seq > \(after) ORDER BY a.seq LIMIT \(pageSize)
                """)
            for row in rows {
                let entry = try Self.entry(row)
                if let broken = checker.check(entry) {
                    return AuditVerification(
                        scope: .all, entries: checker.checked, head: checker.head?.hash, headSeq: checker.head?.seq,
                        firstBreak: broken)
                }
                after = entry.seq
            }
            progress?(checker.checked)
            if rows.count < pageSize { break }
        }
        return AuditVerification(
            scope: .all, entries: checker.checked, head: checker.head?.hash, headSeq: checker.head?.seq, firstBreak: nil)
    }

    private func verify(
        _ scope: AuditScope, on connection: PostgresConnection, progress: (@Sendable (Int) -> Void)?
    ) async throws -> AuditVerification {
        var checked = 0
        var head: (seq: Int64, hash: String)?
        var after = Int64.min
        while true {
            let rows = try await connection.query(Self.scopedPage(scope, after: after, limit: pageSize))
            for row in rows {
                let entry = try Self.entry(row)
                let before = try row.decode(Int64?.self, column: "before_seq").map { seq in
                    (seq: seq, hash: try row.decode(String.self, column: "before_hash"))
                }
                var broken = AuditChainChecker.check(entry, predecessor: before)
                if broken == nil, let nextSeq = try row.decode(Int64?.self, column: "after_seq") {
                    let nextPrevHash = try row.decode(String?.self, column: "after_prev_hash")
                    if nextPrevHash != entry.hash {
                        broken = AuditChainBreak(
                            seq: nextSeq, envelopeId: try row.decode(UUID.self, column: "after_envelope_id"),
                            kind: .prevHashMismatch(previousSeq: entry.seq, expected: entry.hash, found: nextPrevHash))
                    }
                }
                if let broken {
                    return AuditVerification(
                        scope: scope, entries: checked, head: head?.hash, headSeq: head?.seq, firstBreak: broken)
                }
                checked += 1
                head = (entry.seq, entry.hash)
                after = entry.seq
            }
            progress?(checked)
            if rows.count < pageSize { break }
        }
        return AuditVerification(scope: scope, entries: checked, head: head?.hash, headSeq: head?.seq, firstBreak: nil)
    }

    /// One page of a scope's entries, each with its neighbours in the whole log.
    private static func scopedPage(_ scope: AuditScope, after: Int64, limit: Int) -> PostgresQuery {
        let select = """
            SELECT \(columns),
                   p.seq AS before_seq, p.hash AS before_hash,
                   n.seq AS after_seq, n.envelope_id AS after_envelope_id, n.prev_hash AS after_prev_hash
            FROM audit_log a
            LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log WHERE seq < a.seq ORDER BY seq DESC LIMIT 1) p ON true
            LEFT JOIN LATERAL (SELECT seq, envelope_id, prev_hash FROM audit_log WHERE seq > a.seq
                               ORDER BY seq LIMIT 1) n ON true
            """
        switch (scope.runId, scope.tenant) {
        case (let runId?, let tenant?):
            return """
                \(unescaped: select) WHERE a.seq > \(after) AND a.run_id = \(runId) AND a.tenant = \(tenant)
                ORDER BY a.seq LIMIT \(limit)
                """
        case (let runId?, nil):
            return "\(unescaped: select) WHERE a.seq > \(after) AND a.run_id = \(runId) ORDER BY a.seq LIMIT \(limit)"
        case (nil, let tenant?):
            return "\(unescaped: select) WHERE a.seq > \(after) AND a.tenant = \(tenant) ORDER BY a.seq LIMIT \(limit)"
        case (nil, nil):
            return "\(unescaped: select) WHERE a.seq > \(after) ORDER BY a.seq LIMIT \(limit)"
        }
    }

    /// The columns of an entry, in the form the hash takes them.
    private static let columns = """
        a.seq, a.envelope_id, (extract(epoch FROM a.occurred_at) * 1000)::bigint AS occurred_ms, a.tenant, \
        a.run_id, a.actor, a.action, a.payload::text AS payload_text, a.prev_hash, a.hash
        """

    private static func entry(_ row: PostgresRow) throws -> AuditEntry {
        let content = AuditEntryContent(
            envelopeId: try row.decode(UUID.self, column: "envelope_id"),
            occurredAtMilliseconds: try row.decode(Int64.self, column: "occurred_ms"),
            tenant: try row.decode(String.self, column: "tenant"),
            runId: try row.decode(UUID?.self, column: "run_id"),
            actor: try row.decode(String.self, column: "actor"),
            action: try row.decode(String.self, column: "action"),
            payloadText: try row.decode(String.self, column: "payload_text"))
        return AuditEntry(
            seq: try row.decode(Int64.self, column: "seq"), content: content,
            prevHash: try row.decode(String?.self, column: "prev_hash"),
            hash: try row.decode(String.self, column: "hash"))
    }
}
