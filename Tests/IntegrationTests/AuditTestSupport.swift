import AgentryAudit
import AgentryContracts
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging

/// Throw-away migrated databases and sample envelopes for the audit log tests.
enum AuditFixture {
    static let logger: Logger = {
        var logger = Logger(label: "audit-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with a client on a new, migrated database (`agentry_t_audit_<random>`) that is
    /// dropped afterwards.
    static func withDatabase<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await TestDatabase.withFresh(prefix: "agentry_t_audit", poolSize: 6, logger: logger) { client, _ in
            try await body(client)
        }
    }

    /// A run's worth of envelopes: requested, planned, a step result, a decision and completion.
    static func runEnvelopes(runId: UUID = UUID(), tenant: String = "acme") -> [Envelope] {
        let requested = Envelope(tenant: tenant, runId: runId, payload: .runRequested(RunRequested(
            request: "summarise the open incidents and post them to #ops", source: .slack,
            sourceReference: SourceReference(slackChannel: "C0OPS", slackUser: "U0ALICE"), externalEventId: "Ev1")))
        let plan = Plan(steps: [
            PlanStep(id: "fetch", specialist: .data, tool: "sql.query", input: ["sql": "select * from incidents"]),
            PlanStep(id: "post", specialist: .comm, tool: "slack.post",
                     input: ["channel": "#ops", "text": "{{steps.fetch.output.text}}"], dependsOn: ["fetch"]),
        ])
        let planned = Envelope.caused(by: requested, payload: .runPlanned(RunPlanned(plan: plan)))
        var fetched = Envelope.caused(by: planned, payload: .stepCompleted(StepCompleted(
            output: ["rowCount": 2, "text": "id | title\n1 | disk full \u{1F4A5}", "ratio": 0.1, "big": 1e21],
            durationMs: 12, idempotencyKey: "\(runId)/fetch")))
        fetched.stepId = "fetch"
        let decided = Envelope.caused(by: planned, payload: .approvalDecided(ApprovalDecided(
            approvalId: UUID(), decision: .approved, decidedBy: "alice@example.com", comment: "ok \"quoted\"",
            via: .api)))
        let completed = Envelope.caused(by: decided, payload: .runCompleted(RunCompleted(
            status: .completed, summary: "posted 2 incidents to #ops", outputs: ["post": ["status": "captured"]])))
        return [requested, planned, fetched, decided, completed]
    }

    /// Inserts the run and its plan's steps, as the director would have before the step results.
    static func insertRun(_ runId: UUID, tenant: String = "acme", on client: PostgresClient) async throws {
        try await client.execute("""
            INSERT INTO runs (id, tenant, source, request) VALUES (\(runId), \(tenant), 'slack', 'summarise')
            """)
        try await client.execute("""
            INSERT INTO steps (run_id, step_id, specialist, tool) VALUES
                (\(runId), 'fetch', 'data', 'sql.query'), (\(runId), 'post', 'comm', 'slack.post')
            """)
    }

    /// The number of rows in `audit_log`.
    static func count(on client: PostgresClient) async throws -> Int {
        try await client.query("SELECT count(*) FROM audit_log").first?.decode(Int.self, at: 0) ?? -1
    }

    /// Runs `sql` with the append-only triggers disabled, as a superuser tampering with the log would.
    static func tamper(_ sql: String, on client: PostgresClient) async throws {
        try await client.withConnection { connection in
            try await connection.executeScript("""
                ALTER TABLE audit_log DISABLE TRIGGER USER;
                \(sql);
                ALTER TABLE audit_log ENABLE TRIGGER USER;
                """)
        }
    }
}
