import AgentryContracts
import AgentryServiceKit
import AgentryStore
import Foundation

/// Reads runs from the director's tables (`runs`, `steps`, `approvals`, `deliveries`). A run and
/// its parts are read in one repeatable-read transaction, so they are consistent with each other.
struct PostgresRunStore: RunStore {
    let client: PostgresClient

    func run(id: UUID) async throws -> RunDetail? {
        try await client.withTransaction(.repeatableRead) { connection in
            let rows = try await connection.query("""
                SELECT id, tenant, source, external_event_id, request, status, error, plan, source_reference,
                       budget_usd::float8 AS budget_usd, cost_usd::float8 AS cost_usd, prompt_tokens,
                       completion_tokens, created_at, updated_at, started_at, finished_at, thread_run_id
                FROM runs WHERE id = \(id)
                """)
            guard let row = rows.first else { return nil }
            var run = RunDetail(
                id: try row.decode(UUID.self, column: "id").wireString,
                tenant: try row.decode(String.self, column: "tenant"),
                source: try row.decode(String.self, column: "source"),
                externalEventId: try row.decode(String?.self, column: "external_event_id"),
                request: try row.decode(String.self, column: "request"),
                status: try row.decode(String.self, column: "status"),
                error: try row.decode(String?.self, column: "error"),
                plan: try row.decode(PostgresJSON<JSONValue>?.self, column: "plan")?.value,
                sourceReference: try row.decode(PostgresJSON<JSONValue>?.self, column: "source_reference")?.value,
                budgetUSD: try row.decode(Double?.self, column: "budget_usd"),
                costUSD: try row.decode(Double.self, column: "cost_usd"),
                promptTokens: try row.decode(Int.self, column: "prompt_tokens"),
                completionTokens: try row.decode(Int.self, column: "completion_tokens"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                updatedAt: try row.decode(Date.self, column: "updated_at"),
                startedAt: try row.decode(Date?.self, column: "started_at"),
                finishedAt: try row.decode(Date?.self, column: "finished_at"),
                steps: try await Self.steps(of: id, on: connection),
                approvals: try await Self.approvals(of: id, on: connection),
                deliveries: try await Self.deliveries(of: id, on: connection),
                outputs: [:],
                threadRunId: try row.decode(UUID?.self, column: "thread_run_id")?.wireString)
            run.arrangeSteps()
            return run
        }
    }

    func runs(matching filter: RunFilter) async throws -> RunPage {
        let rows = try await client.query("""
            SELECT id, tenant, source, status, request, error, cost_usd::float8 AS cost_usd, created_at, updated_at,
                   finished_at, thread_run_id, (extract(epoch FROM created_at) * 1000000)::bigint AS created_us
            FROM runs
            WHERE (\(filter.status)::text IS NULL OR status = \(filter.status))
              AND (\(filter.tenant)::text IS NULL OR tenant = \(filter.tenant))
              AND (\(filter.source)::text IS NULL OR source = \(filter.source))
              AND (\(filter.since)::timestamptz IS NULL OR created_at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR created_at < \(filter.until))
              AND (\(filter.thread)::uuid IS NULL OR id = \(filter.thread) OR thread_run_id = \(filter.thread))
              AND (\(filter.after?.createdMicroseconds)::bigint IS NULL
                   OR ((extract(epoch FROM created_at) * 1000000)::bigint, id)
                      < (\(filter.after?.createdMicroseconds), \(filter.after?.id)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(filter.limit)
            """)
        let runs = try rows.map { row in
            RunSummary(
                id: try row.decode(UUID.self, column: "id").wireString,
                tenant: try row.decode(String.self, column: "tenant"),
                source: try row.decode(String.self, column: "source"),
                status: try row.decode(String.self, column: "status"),
                request: try row.decode(String.self, column: "request"),
                error: try row.decode(String?.self, column: "error"),
                costUSD: try row.decode(Double.self, column: "cost_usd"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                updatedAt: try row.decode(Date.self, column: "updated_at"),
                finishedAt: try row.decode(Date?.self, column: "finished_at"),
                threadRunId: try row.decode(UUID?.self, column: "thread_run_id")?.wireString)
        }
        guard rows.count == filter.limit, let last = rows.last else { return RunPage(runs: runs, next: nil) }
        return RunPage(runs: runs, next: RunCursor(
            createdMicroseconds: try last.decode(Int64.self, column: "created_us"), id: try last.decode(UUID.self, column: "id")))
    }

    func approval(id: UUID) async throws -> ApprovalTarget? {
        let rows = try await client.query("""
            SELECT a.id, a.run_id, a.step_id, a.status, r.tenant
            FROM approvals a JOIN runs r ON r.id = a.run_id
            WHERE a.id = \(id)
            """)
        guard let row = rows.first else { return nil }
        return ApprovalTarget(
            id: try row.decode(UUID.self, column: "id"),
            runId: try row.decode(UUID.self, column: "run_id"),
            stepId: try row.decode(String?.self, column: "step_id"),
            tenant: try row.decode(String.self, column: "tenant"),
            status: try row.decode(String.self, column: "status"))
    }

    func approvals(matching filter: ApprovalFilter) async throws -> [ApprovalSummary] {
        let rows = try await client.query("""
            SELECT a.id, a.run_id, r.tenant, r.request, a.step_id, a.kind, a.status, a.approver_roles, a.decided_by,
                   a.deadline, a.created_at, a.decided_at
            FROM approvals a JOIN runs r ON r.id = a.run_id
            WHERE (\(filter.status)::text IS NULL OR a.status = \(filter.status))
              AND (\(filter.tenant)::text IS NULL OR r.tenant = \(filter.tenant))
            ORDER BY a.created_at, a.id
            LIMIT \(filter.limit)
            """)
        return try rows.map { row in
            ApprovalSummary(
                id: try row.decode(UUID.self, column: "id").wireString,
                runId: try row.decode(UUID.self, column: "run_id").wireString,
                tenant: try row.decode(String.self, column: "tenant"),
                request: try row.decode(String.self, column: "request"),
                stepId: try row.decode(String?.self, column: "step_id"),
                kind: try row.decode(String.self, column: "kind"),
                status: try row.decode(String.self, column: "status"),
                approverRoles: try row.decode([String].self, column: "approver_roles"),
                decidedBy: try row.decode(String?.self, column: "decided_by"),
                deadline: try row.decode(Date?.self, column: "deadline"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                decidedAt: try row.decode(Date?.self, column: "decided_at"))
        }
    }

    func apiKey(hash: String) async throws -> APIKeyRecord? {
        guard let row = try await client.query("""
            SELECT id, role, tenant, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE key_hash = \(hash)
            """).first else { return nil }
        guard let role = APIRole(rawValue: try row.decode(String.self, column: "role")) else { return nil }
        return APIKeyRecord(
            id: try row.decode(UUID.self, column: "id"), role: role, tenant: try row.decode(String?.self, column: "tenant"),
            revoked: try row.decode(Bool.self, column: "revoked"))
    }

    func steps(ofRun id: UUID) async throws -> [StepView] {
        try await client.withConnection { connection in try await Self.steps(of: id, on: connection) }
    }

    func emailThread(tenant: String, messageIds: [String]) async throws -> UUID? {
        let deliveryIds = messageIds.compactMap(AgentryMessageID.deliveryId(in:))
        if !deliveryIds.isEmpty {
            let rows = try await client.query("""
                SELECT coalesce(run.thread_run_id, run.id)
                FROM deliveries AS delivery JOIN runs AS run ON run.id = delivery.run_id
                WHERE delivery.id = ANY(\(deliveryIds)) AND delivery.channel = 'email' AND run.tenant = \(tenant)
                ORDER BY array_position(\(deliveryIds), delivery.id)
                LIMIT 1
                """)
            if let row = rows.first { return try row.decode(UUID.self, at: 0) }
        }
        let rows = try await client.query("""
            SELECT coalesce(thread_run_id, id)
            FROM runs
            WHERE tenant = \(tenant) AND source = 'email' AND external_event_id = ANY(\(messageIds))
            ORDER BY array_position(\(messageIds), external_event_id)
            LIMIT 1
            """)
        return try rows.first?.decode(UUID.self, at: 0)
    }

    func slackThread(tenant: String, channel: String, threadTs: String) async throws -> UUID? {
        let rows = try await client.query("""
            SELECT coalesce(thread_run_id, id)
            FROM runs
            WHERE tenant = \(tenant) AND source = 'slack' AND source_reference ->> 'slackChannel' = \(channel)
              AND source_reference ->> 'slackThreadTs' = \(threadTs)
            ORDER BY created_at
            LIMIT 1
            """)
        return try rows.first?.decode(UUID.self, at: 0)
    }

    func runStatus(id: UUID) async throws -> String? {
        try await client.query("SELECT status FROM runs WHERE id = \(id)").first?.decode(String.self, column: "status")
    }

    func audit(runId: UUID, after: Int, limit: Int) async throws -> [AuditEntryView] {
        let rows = try await client.query("""
            SELECT seq, envelope_id, occurred_at, actor, action, payload::text AS payload, hash, prev_hash
            FROM audit_log
            WHERE run_id = \(runId) AND seq > \(after)
            ORDER BY seq
            LIMIT \(limit)
            """)
        return try rows.map { row in
            AuditEntryView(
                sequence: try row.decode(Int.self, column: "seq"),
                envelopeId: try row.decode(UUID.self, column: "envelope_id").wireString,
                occurredAt: try row.decode(Date.self, column: "occurred_at"),
                actor: try row.decode(String.self, column: "actor"),
                action: try row.decode(String.self, column: "action"),
                payload: try row.decode(PostgresJSON<JSONValue>.self, column: "payload").value,
                hash: try row.decode(String.self, column: "hash"),
                previousHash: try row.decode(String?.self, column: "prev_hash"))
        }
    }

    private static func steps(of runId: UUID, on connection: PostgresConnection) async throws -> [StepView] {
        let rows = try await connection.query("""
            SELECT step_id, specialist, tool, description, status, risk, depends_on, attempts, max_attempts, input,
                   output, error, created_at, updated_at, started_at, finished_at
            FROM steps WHERE run_id = \(runId)
            ORDER BY created_at, step_id
            """)
        return try rows.map { row in
            StepView(
                id: try row.decode(String.self, column: "step_id"),
                specialist: try row.decode(String.self, column: "specialist"),
                tool: try row.decode(String.self, column: "tool"),
                description: try row.decode(String?.self, column: "description"),
                status: try row.decode(String.self, column: "status"),
                risk: try row.decode(String.self, column: "risk"),
                dependsOn: try row.decode([String].self, column: "depends_on"),
                attempts: try row.decode(Int.self, column: "attempts"),
                maxAttempts: try row.decode(Int.self, column: "max_attempts"),
                input: try row.decode(PostgresJSON<JSONValue>.self, column: "input").value,
                output: try row.decode(PostgresJSON<JSONValue>?.self, column: "output")?.value,
                error: try row.decode(String?.self, column: "error"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                updatedAt: try row.decode(Date.self, column: "updated_at"),
                startedAt: try row.decode(Date?.self, column: "started_at"),
                finishedAt: try row.decode(Date?.self, column: "finished_at"))
        }
    }

    private static func approvals(of runId: UUID, on connection: PostgresConnection) async throws -> [ApprovalView] {
        let rows = try await connection.query("""
            SELECT id, step_id, kind, status, approver_roles, decided_by, comment, deadline, created_at, decided_at
            FROM approvals WHERE run_id = \(runId)
            ORDER BY created_at, id
            """)
        return try rows.map { row in
            ApprovalView(
                id: try row.decode(UUID.self, column: "id").wireString,
                stepId: try row.decode(String?.self, column: "step_id"),
                kind: try row.decode(String.self, column: "kind"),
                status: try row.decode(String.self, column: "status"),
                approverRoles: try row.decode([String].self, column: "approver_roles"),
                decidedBy: try row.decode(String?.self, column: "decided_by"),
                comment: try row.decode(String?.self, column: "comment"),
                deadline: try row.decode(Date?.self, column: "deadline"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                decidedAt: try row.decode(Date?.self, column: "decided_at"))
        }
    }

    private static func deliveries(of runId: UUID, on connection: PostgresConnection) async throws -> [DeliveryView] {
        let rows = try await connection.query("""
            SELECT id, step_id, kind, channel, target, status, attempts, payload, response, created_at, delivered_at
            FROM deliveries WHERE run_id = \(runId)
            ORDER BY created_at, id
            """)
        return try rows.map { row in
            DeliveryView(
                id: try row.decode(UUID.self, column: "id").wireString,
                stepId: try row.decode(String?.self, column: "step_id"),
                kind: try row.decode(String.self, column: "kind"),
                channel: try row.decode(String.self, column: "channel"),
                target: try row.decode(String.self, column: "target"),
                status: try row.decode(String.self, column: "status"),
                attempts: try row.decode(Int.self, column: "attempts"),
                payload: try row.decode(PostgresJSON<JSONValue>.self, column: "payload").value,
                response: try row.decode(String?.self, column: "response"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                deliveredAt: try row.decode(Date?.self, column: "delivered_at"))
        }
    }
}
