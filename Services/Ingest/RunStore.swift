import Foundation

/// What the API reads about runs. ``PostgresRunStore`` reads the director's tables; tests use an
/// in-memory store.
protocol RunStore: Sendable {
    /// The run with its steps, approvals, deliveries and outputs, or `nil` when there is none.
    func run(id: UUID) async throws -> RunDetail?
    /// Runs matching `filter`, newest first, with the cursor after the last one when the page is full.
    func runs(matching filter: RunFilter) async throws -> RunPage
    /// The run's steps (none when there is no such run), without the rest of the run.
    func steps(ofRun id: UUID) async throws -> [StepView]
    /// The approval and the run it belongs to, or `nil` when there is none.
    func approval(id: UUID) async throws -> ApprovalTarget?
    /// Approvals matching `filter`, oldest first (the queue an approver works through).
    func approvals(matching filter: ApprovalFilter) async throws -> [ApprovalSummary]
    /// The API key stored under `hash` (SHA-256 hex), or `nil`.
    func apiKey(hash: String) async throws -> APIKeyRecord?
    /// The run's status, or `nil` when there is no such run (cheap; polled by event streams).
    func runStatus(id: UUID) async throws -> String?
    /// The first run of the thread that an email answering `messageIds` (most direct first) continues:
    /// the run of the first id that is a `Message-ID` of one of the tenant's emails (the notifier's or
    /// a step's, ``AgentryMessageID``), else of the first id that started one of the tenant's email
    /// runs; nil when none is known.
    func emailThread(tenant: String, messageIds: [String]) async throws -> UUID?
    /// The first run of the Slack thread `threadTs` in `channel`: the run that a mention inside that
    /// thread continues; nil when no run of the tenant lives in that thread.
    func slackThread(tenant: String, channel: String, threadTs: String) async throws -> UUID?
    /// The run's audit entries in chain order, at most `limit`, after sequence `after`.
    func audit(runId: UUID, after: Int, limit: Int) async throws -> [AuditEntryView]
}

extension RunStore {
    /// The steps of ``run(id:)``; a store that can read steps alone does so instead.
    func steps(ofRun id: UUID) async throws -> [StepView] {
        try await run(id: id)?.steps ?? []
    }
}
