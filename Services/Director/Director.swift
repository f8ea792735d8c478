import AgentryBus
import AgentryContracts
import AgentryRuntime
import AgentryStore
import Foundation
import Logging
import Metrics

/// The run state machine. Every handler runs in one transaction that first claims the envelope in
/// `processed_messages` (a redelivery changes nothing), locks the run's row (several directors may
/// run at once; the lock serialises them per run), changes state, and writes the envelopes that
/// the change causes into the outbox. The relay publishes them after the commit.
struct Director: Sendable {
    static let consumerName = "director"
    /// Where model replies come back: the director's own inbox, through the default exchange.
    static let replyQueue = "director.inbox"
    /// How often an invalid plan is asked for before the run fails.
    static let maxPlanAttempts = 2

    let store: PostgresClient
    let logger: Logger
    /// Called after a transaction that wrote to the outbox has committed.
    let outboxWritten: @Sendable () -> Void

    // MARK: Entry point

    func handle(_ envelope: Envelope) async throws {
        let wrote = try await store.withTransaction { connection -> Bool in
            guard try await IdempotencyLedger.claim(
                consumer: Self.consumerName, envelopeId: envelope.id, on: connection)
            else {
                logger.debug("duplicate envelope ignored")
                return false
            }
            var context = Context(connection: connection, cause: envelope, logger: logger)
            switch envelope.payload {
            case .runRequested(let request): try await runRequested(request, &context)
            case .modelReply(let reply): try await modelReplied(reply, &context)
            case .stepCompleted(let completed): try await stepCompleted(completed, &context)
            case .stepFailed(let failed): try await stepFailed(failed, &context)
            case .approvalDecided(let decision): try await approvalDecided(decision, &context)
            case .runControl(let control): try await runControlled(control, &context)
            default:
                throw PermanentFailure("the director does not handle \(envelope.type.rawValue)")
            }
            return context.enqueued > 0
        }
        if wrote { outboxWritten() }
    }

    /// An `approval.decided` from the approval reply queue: republished as a fact (same envelope id)
    /// through the outbox, so the audit log records it and the director handles it from its inbox
    /// like a decision made through the API or Slack.
    func handleApprovalReply(_ envelope: Envelope) async throws {
        guard case .approvalDecided = envelope.payload else {
            throw PermanentFailure("the approval reply queue takes approval.decided, not \(envelope.type.rawValue)")
        }
        try await store.withTransaction { connection in
            try await Outbox.enqueueEvent(envelope, on: connection)
        }
        outboxWritten()
    }

    /// What a handler needs inside its transaction.
    struct Context {
        let connection: PostgresConnection
        let cause: Envelope
        let logger: Logger
        var enqueued = 0

        /// An envelope caused by the one being handled, for `runId` (and `stepId`).
        func envelope(_ payload: EnvelopePayload, runId: UUID, stepId: String? = nil, attempt: Int = 1) -> Envelope {
            var envelope = Envelope.caused(by: cause, payload: payload)
            envelope.runId = runId
            envelope.stepId = stepId
            envelope.attempt = attempt
            if cause.runId != runId { envelope.correlationId = runId }
            return envelope
        }

        mutating func enqueue(_ envelope: Envelope, to route: Route, replyTo: String? = nil, delay: RetryTier? = nil) async throws {
            try await Outbox.enqueue(envelope, to: route, replyTo: replyTo, delay: delay, on: connection)
            enqueued += 1
        }

        mutating func publishFact(_ envelope: Envelope) async throws {
            try await enqueue(envelope, to: .event(envelope.type))
        }
    }

    // MARK: run.requested → planning

    private func runRequested(_ request: RunRequested, _ context: inout Context) async throws {
        guard let runId = context.cause.runId else {
            throw PermanentFailure("run.requested without a run id")
        }
        let trimmed = request.request.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw PermanentFailure("run.requested with an empty request") }
        let runContext = JSONValue.object([
            "requestedBy": request.requestedBy.map(JSONValue.string) ?? .null,
            "inputs": .object(request.inputs ?? [:]),
            "workflow": request.workflow.map(JSONValue.string) ?? .null,
        ])
        let inserted = try await context.connection.query("""
            INSERT INTO runs (id, tenant, source, external_event_id, request, status, context, budget_usd, source_reference,
                              thread_run_id)
            VALUES (\(runId), \(context.cause.tenant), \(request.source.rawValue), \(request.externalEventId), \(trimmed),
                    'planning', \(PostgresJSON(runContext)), \(request.budgetUSD),
                    \(request.sourceReference.map { PostgresJSON($0) }),
                    (SELECT coalesce(thread_run_id, id) FROM runs
                     WHERE id = \(request.threadRunId) AND tenant = \(context.cause.tenant) AND id <> \(runId)))
            ON CONFLICT DO NOTHING
            RETURNING thread_run_id
            """)
        guard let row = inserted.first else {
            context.logger.info("duplicate run request ignored", metadata: [
                "external.event.id": "\(request.externalEventId ?? "")", "source": "\(request.source.rawValue)",
            ])
            return
        }
        Counter(label: "agentry_runs_started_total", dimensions: [("source", request.source.rawValue)]).increment()
        try await askForPlan(
            runId: runId, request: trimmed, thread: try row.decode(UUID?.self, column: "thread_run_id"), attempt: 1,
            problems: nil, &context)
        context.logger.info("run accepted; planning", metadata: ["run.id": "\(runId.uuidString.lowercased())"])
    }

    /// Asks the planner alias for a plan of `request`; a run in a thread (`thread`, its first run)
    /// also shows the planner the thread's earlier requests.
    private func askForPlan(
        runId: UUID, request: String, thread: UUID?, attempt: Int, problems: String?, _ context: inout Context
    ) async throws {
        var messages = [ChatMessage(role: .system, content: PlannerPrompt.system)]
        if thread != nil, let summary = try await Self.threadSummary(of: runId, on: context.connection) {
            messages.append(ChatMessage(role: .system, content: summary))
        }
        messages.append(ChatMessage(role: .user, content: request))
        if let problems {
            messages.append(ChatMessage(role: .user, content: """
                The previous plan was rejected: \(problems)
                Answer again with a corrected plan for the same request.
                """))
        }
        let modelRequest = ModelRequest(
            alias: "planner", messages: messages, responseFormat: .jsonSchema(name: "plan", schema: PlannerPrompt.schema),
            complexity: .medium, purpose: "plan", cache: attempt == 1)
        let envelope = context.envelope(.modelRequest(modelRequest), runId: runId, attempt: attempt)
        try await context.enqueue(envelope, to: .event(.modelRequest), replyTo: Self.replyQueue)
        try await context.connection.execute("""
            UPDATE runs SET plan_request_id = \(envelope.id), plan_attempts = \(attempt), status = 'planning',
                            updated_at = now(), version = version + 1
            WHERE id = \(runId)
            """)
    }

    /// How many of a thread's earlier runs the planner is shown.
    static let threadHistoryLimit = 10

    /// For a run that continues a thread: its earlier runs (at most ``threadHistoryLimit``, the
    /// latest), oldest first, with how each ended, as context for the planner; nil otherwise.
    ///
    /// It is a system message rather than earlier user turns, so a reply such as "thanks" is not
    /// mistaken for a repeat of an earlier request.
    static func threadSummary(of runId: UUID, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query("""
            SELECT earlier.request, earlier.status, earlier.error
            FROM runs AS run
            JOIN runs AS earlier
              ON (earlier.id = run.thread_run_id OR earlier.thread_run_id = run.thread_run_id)
             AND earlier.id <> run.id AND earlier.created_at <= run.created_at
            WHERE run.id = \(runId)
            ORDER BY earlier.created_at DESC, earlier.id DESC
            LIMIT \(threadHistoryLimit)
            """)
        guard !rows.isEmpty else { return nil }
        let lines = try rows.reversed().enumerated().map { index, row in
            let (request, status, error) = try row.decode((String, String, String?).self)
            let outcome = error.map { "\(status): \(PlannerPrompt.oneLine($0, limit: 300))" } ?? status
            return "\(index + 1). \"\(PlannerPrompt.oneLine(request, limit: 1_000))\" (\(outcome))"
        }
        return """
            This request continues an earlier conversation. Its earlier requests, oldest first, and how each run ended:
            \(lines.joined(separator: "\n"))
            Plan only the new request; use the earlier ones to understand it.
            """
    }

    // MARK: model.reply → planned

    private func modelReplied(_ reply: ModelReply, _ context: inout Context) async throws {
        guard let runId = context.cause.runId, var run = try await RunRecord.lock(runId, on: context.connection) else {
            throw PermanentFailure("model.reply for an unknown run")
        }
        guard run.status == .planning, run.planRequestId == context.cause.causationId else {
            context.logger.info("stale model reply ignored", metadata: ["run.status": "\(run.status.rawValue)"])
            return
        }
        run.costUSD += reply.costUSD
        run.promptTokens += reply.promptTokens
        run.completionTokens += reply.completionTokens
        try await context.connection.execute("""
            UPDATE runs SET cost_usd = \(run.costUSD), prompt_tokens = \(run.promptTokens),
                            completion_tokens = \(run.completionTokens)
            WHERE id = \(runId)
            """)
        if let error = reply.error {
            try await failRun(run, reason: "planning failed: \(error.message)", code: "planning_\(error.code.rawValue)", stepId: nil, &context)
            return
        }
        let plan: Plan
        do {
            plan = try Self.decodePlan(reply.content)
        } catch {
            try await replan(run, problems: "\(error)", &context)
            return
        }
        let problems = plan.validate()
        guard problems.isEmpty else {
            try await replan(run, problems: problems.map(\.description).joined(separator: "; "), &context)
            return
        }
        try await accept(plan, for: run, &context)
    }

    static func decodePlan(_ content: String) throws -> Plan {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        // Models often fence JSON in Markdown.
        if text.hasPrefix("```"), let firstNewline = text.firstIndex(of: "\n"), text.hasSuffix("```") {
            text = String(text[text.index(after: firstNewline)..<text.index(text.endIndex, offsetBy: -3)])
        }
        do {
            return try JSONDecoder().decode(Plan.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw PlanDecodingError(message: Self.describe(error))
        }
    }

    struct PlanDecodingError: Error, CustomStringConvertible {
        var message: String
        var description: String { "the plan is not valid JSON for the plan schema: \(message)" }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at '\(path(context))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at '\(path(context))'"
        @unknown default: return "\(error)"
        }
    }

    private func replan(_ run: RunRecord, problems: String, _ context: inout Context) async throws {
        guard run.planAttempts < Self.maxPlanAttempts else {
            try await failRun(run, reason: "the plan was invalid: \(problems)", code: "invalid_plan", stepId: nil, &context)
            return
        }
        context.logger.warning("invalid plan; asking again", metadata: ["problems": "\(problems)"])
        try await askForPlan(
            runId: run.id, request: run.request, thread: run.threadRunId, attempt: run.planAttempts + 1, problems: problems,
            &context)
    }

    private func accept(_ plan: Plan, for run: RunRecord, _ context: inout Context) async throws {
        for step in plan.steps { try await insert(step, of: run.id, &context) }
        try await context.connection.execute("""
            UPDATE runs SET plan = \(PostgresJSON(plan)), status = 'running', started_at = coalesce(started_at, now()),
                            updated_at = now(), version = version + 1
            WHERE id = \(run.id)
            """)
        try await context.publishFact(context.envelope(.runPlanned(RunPlanned(plan: plan)), runId: run.id))
        var planned = run
        planned.plan = plan
        planned.status = .running
        context.logger.info("run planned", metadata: ["steps": "\(plan.steps.count)"])
        try await advance(planned, &context)
    }

    private func insert(_ step: PlanStep, of runId: UUID, _ context: inout Context) async throws {
        try await context.connection.execute("""
            INSERT INTO steps (run_id, step_id, specialist, tool, input, depends_on, risk, max_attempts,
                               idempotency_key, description)
            VALUES (\(runId), \(step.id), \(step.specialist.rawValue), \(step.tool), \(PostgresJSON(step.input)),
                    \(step.dependsOn), \(step.risk.rawValue), \(max(1, step.limits.maxAttempts)),
                    \("\(runId.uuidString.lowercased()):\(step.id)"), \(step.description))
            """)
    }

    // MARK: step results

    private func stepCompleted(_ completed: StepCompleted, _ context: inout Context) async throws {
        guard let (run, step, _) = try await lockStep(&context) else { return }
        guard step.status == .dispatched else {
            context.logger.info("result for a step that is not in flight ignored", metadata: ["step.status": "\(step.status.rawValue)"])
            return
        }
        try await context.connection.execute("""
            UPDATE steps SET status = 'succeeded', output = \(PostgresJSON(completed.output)), error = NULL,
                             finished_at = now(), updated_at = now()
            WHERE run_id = \(run.id) AND step_id = \(step.stepId)
            """)
        guard !run.status.isTerminal else { return }
        try await advance(run, &context)
    }

    private func stepFailed(_ failed: StepFailed, _ context: inout Context) async throws {
        guard let (run, step, steps) = try await lockStep(&context) else { return }
        guard step.status == .dispatched else {
            context.logger.info("failure for a step that is not in flight ignored", metadata: ["step.status": "\(step.status.rawValue)"])
            return
        }
        let reason = "\(failed.code): \(failed.error)"
        if failed.retryable && step.attempts < step.maxAttempts && !run.status.isTerminal {
            let tier = RetryTier.forAttempt(step.attempts)
            try await context.connection.execute("""
                UPDATE steps SET error = \(reason), updated_at = now() WHERE run_id = \(run.id) AND step_id = \(step.stepId)
                """)
            context.logger.warning("step failed; retrying", metadata: [
                "step.id": "\(step.stepId)", "attempt": "\(step.attempts)", "delay": "\(tier.rawValue)", "reason": "\(reason)",
            ])
            try await dispatch(step, of: run, outputs: StepRecord.outputs(of: steps), delay: tier, &context)
            return
        }
        try await context.connection.execute("""
            UPDATE steps SET status = 'failed', error = \(reason), finished_at = now(), updated_at = now()
            WHERE run_id = \(run.id) AND step_id = \(step.stepId)
            """)
        guard !run.status.isTerminal else { return }
        let attempts = step.attempts == 1 ? "1 attempt" : "\(step.attempts) attempts"
        try await failRun(run, reason: "step '\(step.stepId)' failed after \(attempts): \(failed.error)",
                          code: failed.code, stepId: step.stepId, &context)
    }

    /// Locks the run of the envelope being handled and reads its step (and all the run's steps).
    private func lockStep(_ context: inout Context) async throws -> (RunRecord, StepRecord, [StepRecord])? {
        guard let runId = context.cause.runId, let stepId = context.cause.stepId else {
            throw PermanentFailure("\(context.cause.type.rawValue) without a run id and step id")
        }
        guard let run = try await RunRecord.lock(runId, on: context.connection) else {
            throw PermanentFailure("\(context.cause.type.rawValue) for unknown run \(runId)")
        }
        let steps = try await StepRecord.all(of: runId, on: context.connection)
        guard let step = steps.first(where: { $0.stepId == stepId }) else {
            throw PermanentFailure("\(context.cause.type.rawValue) for unknown step '\(stepId)' of run \(runId)")
        }
        return (run, step, steps)
    }

    // MARK: approvals

    private func approvalDecided(_ decision: ApprovalDecided, _ context: inout Context) async throws {
        let found = try await context.connection.query("SELECT run_id FROM approvals WHERE id = \(decision.approvalId)")
        guard let runId = try found.first?.decode(UUID.self, column: "run_id") else {
            throw PermanentFailure("approval.decided for unknown approval \(decision.approvalId)")
        }
        guard let run = try await RunRecord.lock(runId, on: context.connection) else {
            throw PermanentFailure("approval \(decision.approvalId) belongs to a missing run")
        }
        var stepsBeforeEdit: [StepRecord] = []
        if decision.decision == .approved, let edited = decision.editedPlan {
            // Read under the run's lock: an edit on an approval that is no longer pending is not looked at
            // (the update below ignores any such decision).
            let pending = try await context.connection.query(
                "SELECT 1 FROM approvals WHERE id = \(decision.approvalId) AND status = 'pending'")
            guard !pending.isEmpty else {
                context.logger.info("decision on an approval that is no longer pending ignored")
                return
            }
            stepsBeforeEdit = try await StepRecord.all(of: runId, on: context.connection)
            let problems = edited.validate().map(\.description)
                + edited.conflicts(keeping: stepsBeforeEdit.filter { !$0.status.isUnstarted }.map(\.started))
            guard problems.isEmpty else {
                // The gateway checked the edit; a step started since. Applying half of it would run a
                // plan nobody approved, so the approval stays pending for a new decision.
                context.logger.warning("approval with an edited plan that no longer fits the run ignored; still pending", metadata: [
                    "approval.id": "\(decision.approvalId)", "problems": "\(problems.joined(separator: "; "))",
                ])
                return
            }
        }
        let rows = try await context.connection.query("""
            UPDATE approvals SET status = \(decision.decision.rawValue), decided_by = \(decision.decidedBy),
                                 comment = \(decision.comment), decided_at = now()
            WHERE id = \(decision.approvalId) AND status = 'pending'
            RETURNING step_id
            """)
        guard let row = rows.first else {
            context.logger.info("decision on an approval that is no longer pending ignored")
            return
        }
        let stepId = try row.decode(String?.self, column: "step_id")
        guard let stepId, !run.status.isTerminal else { return }
        switch decision.decision {
        case .approved:
            if let edited = decision.editedPlan {
                try await continueWith(edited, run: run, steps: stepsBeforeEdit, approvedStep: stepId, &context)
                context.logger.info("step approved with an edited plan", metadata: [
                    "step.id": "\(stepId)", "approver": "\(decision.decidedBy)", "steps": "\(edited.steps.count)",
                ])
                return
            }
            try await context.connection.execute("""
                UPDATE steps SET status = 'approved', updated_at = now()
                WHERE run_id = \(runId) AND step_id = \(stepId) AND status = 'awaiting_approval'
                """)
            context.logger.info("step approved", metadata: ["step.id": "\(stepId)", "approver": "\(decision.decidedBy)"])
            try await advance(run, &context)
        case .rejected:
            try await context.connection.execute("""
                UPDATE steps SET status = 'rejected', finished_at = now(), updated_at = now()
                WHERE run_id = \(runId) AND step_id = \(stepId)
                """)
            let comment = decision.comment.map { ": \($0)" } ?? ""
            try await endRun(run, status: .rejected,
                             reason: "step '\(stepId)' was rejected by \(decision.decidedBy)\(comment)",
                             code: "rejected", stepId: stepId, &context)
        }
    }

    /// Replaces the run's plan with `plan`, which keeps every started step as it is (checked by the
    /// caller): steps that have not started take their new form, or are cancelled when the plan drops
    /// them, and new ones are added. `approvedStep` is approved as edited; another step that changed
    /// loses its approval (a pending request for one expires) and is asked about again if risky.
    private func continueWith(
        _ edited: Plan, run: RunRecord, steps: [StepRecord], approvedStep: String, _ context: inout Context
    ) async throws {
        let existing = Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) })
        // A started step stays as it ran, its limits included (a retry takes them from the plan).
        var plan = edited
        for index in plan.steps.indices {
            if let current = existing[plan.steps[index].id], !current.status.isUnstarted,
               let limits = run.plan?.step(id: current.stepId)?.limits {
                plan.steps[index].limits = limits
            }
        }
        let kept = Set(plan.steps.map(\.id))
        for step in steps where step.status.isUnstarted && step.status != .cancelled && !kept.contains(step.stepId) {
            try await expireApprovals(of: run.id, step: step.stepId, comment: "superseded by an edited plan", &context)
            try await context.connection.execute("""
                UPDATE steps SET status = 'cancelled', error = 'dropped by an edited plan', finished_at = now(), updated_at = now()
                WHERE run_id = \(run.id) AND step_id = \(step.stepId)
                """)
        }
        for step in plan.steps {
            // (The approved step always has a row: approvals are asked for existing steps.)
            guard let current = existing[step.id] else {
                try await insert(step, of: run.id, &context)
                continue
            }
            guard current.status.isUnstarted else { continue }
            let unchanged = current.specialist == step.specialist && current.tool == step.tool && current.input == step.input
                && current.dependsOn == step.dependsOn && current.risk == step.risk
            let status: StepStatus
            if step.id == approvedStep {
                status = .approved
            } else if unchanged && current.status != .cancelled {
                status = current.status
            } else {
                status = .pending
                if current.status == .awaitingApproval {
                    try await expireApprovals(of: run.id, step: step.id, comment: "superseded by an edited plan", &context)
                }
            }
            try await context.connection.execute("""
                UPDATE steps SET specialist = \(step.specialist.rawValue), tool = \(step.tool), input = \(PostgresJSON(step.input)),
                                 depends_on = \(step.dependsOn), risk = \(step.risk.rawValue),
                                 max_attempts = \(max(1, step.limits.maxAttempts)), description = \(step.description),
                                 status = \(status.rawValue), error = NULL, finished_at = NULL, updated_at = now()
                WHERE run_id = \(run.id) AND step_id = \(step.id)
                """)
        }
        try await context.connection.execute("""
            UPDATE runs SET plan = \(PostgresJSON(plan)), updated_at = now(), version = version + 1 WHERE id = \(run.id)
            """)
        try await context.publishFact(context.envelope(.runPlanned(RunPlanned(plan: plan)), runId: run.id))
        var edited = run
        edited.plan = plan
        try await advance(edited, &context)
    }

    /// Expires the run's pending approval requests (of one step, when `step` is given): the run
    /// ended, or the step they asked about changed or went.
    private func expireApprovals(of runId: UUID, step stepId: String? = nil, comment: String? = nil, _ context: inout Context) async throws {
        try await context.connection.execute("""
            UPDATE approvals SET status = 'expired', comment = coalesce(\(comment), comment), decided_at = now()
            WHERE run_id = \(runId) AND (\(stepId)::text IS NULL OR step_id = \(stepId)) AND status = 'pending'
            """)
    }

    // MARK: operator control

    private func runControlled(_ control: RunControl, _ context: inout Context) async throws {
        guard let runId = context.cause.runId, let run = try await RunRecord.lock(runId, on: context.connection) else {
            throw PermanentFailure("run.control for an unknown run")
        }
        guard !run.status.isTerminal else {
            context.logger.info("control of a finished run ignored", metadata: ["action": "\(control.action.rawValue)"])
            return
        }
        switch control.action {
        case .cancel:
            try await closeOpenWork(of: run.id, &context)
            try await context.connection.execute("""
                UPDATE runs SET status = 'cancelled', error = \(control.reason), finished_at = now(), updated_at = now(),
                                version = version + 1
                WHERE id = \(run.id)
                """)
            let summary = "cancelled" + (control.requestedBy.map { " by \($0)" } ?? "") + (control.reason.map { ": \($0)" } ?? "")
            try await context.publishFact(context.envelope(
                .runCompleted(RunCompleted(status: .cancelled, summary: summary, costUSD: run.costUSD,
                                           promptTokens: run.promptTokens, completionTokens: run.completionTokens)),
                runId: run.id))
        case .pause:
            guard run.status == .running || run.status == .waitingForApproval else { return }
            try await setStatus(.paused, of: run.id, &context)
        case .resume:
            guard run.status == .paused else { return }
            var resumed = run
            resumed.status = .running
            try await setStatus(.running, of: run.id, &context)
            try await advance(resumed, &context)
        }
    }

    // MARK: the engine

    /// Dispatches every step whose dependencies have succeeded, asks for approval of risky ones, and
    /// completes the run when every step has succeeded.
    private func advance(_ run: RunRecord, _ context: inout Context) async throws {
        guard run.status == .running || run.status == .waitingForApproval else { return }
        let steps = try await StepRecord.all(of: run.id, on: context.connection)
        // Steps an edited plan dropped are cancelled; the rest must all have succeeded.
        let planned = steps.filter { $0.status != .cancelled }
        if !planned.isEmpty && planned.allSatisfy({ $0.status == .succeeded }) {
            try await complete(run, steps: planned, &context)
            return
        }
        let succeeded = Set(steps.filter { $0.status == .succeeded }.map(\.stepId))
        let outputs = StepRecord.outputs(of: steps)
        var awaiting = steps.count { $0.status == .awaitingApproval }
        var inFlight = steps.count { $0.status == .dispatched }
        for step in steps where step.status == .pending || step.status == .ready || step.status == .approved {
            guard step.dependsOn.allSatisfy(succeeded.contains) else { continue }
            if step.status != .approved && step.risk.requiresApproval {
                try await requestApproval(for: step, of: run, &context)
                awaiting += 1
            } else {
                // An input that cannot be resolved fails the step and ends the run.
                guard try await dispatch(step, of: run, outputs: outputs, delay: nil, &context) else { return }
                inFlight += 1
            }
        }
        let next: RunStatus = awaiting > 0 && inFlight == 0 ? .waitingForApproval : .running
        if next != run.status { try await setStatus(next, of: run.id, &context) }
    }

    /// Sends the step to its specialist with earlier outputs substituted into its input; returns
    /// false when the input cannot be resolved, which fails the step and ends the run.
    @discardableResult
    private func dispatch(
        _ step: StepRecord, of run: RunRecord, outputs: [String: JSONValue], delay: RetryTier?, _ context: inout Context
    ) async throws -> Bool {
        let input: JSONValue
        do {
            input = try StepInputTemplate.resolve(step.input, outputs: outputs)
        } catch {
            try await context.connection.execute("""
                UPDATE steps SET status = 'failed', error = \("invalid_input: \(error)"), finished_at = now(), updated_at = now()
                WHERE run_id = \(run.id) AND step_id = \(step.stepId)
                """)
            try await failRun(run, reason: "step '\(step.stepId)' has an input that cannot be resolved: \(error)",
                              code: "invalid_input", stepId: step.stepId, &context)
            return false
        }
        let attempt = step.attempts + 1
        let limits = run.plan?.step(id: step.stepId)?.limits ?? .standard
        let item = WorkItem(
            stepId: step.stepId, specialist: step.specialist, tool: step.tool, input: input, limits: limits,
            idempotencyKey: step.idempotencyKey, risk: step.risk)
        try await context.connection.execute("""
            UPDATE steps SET status = 'dispatched', attempts = \(attempt), started_at = coalesce(started_at, now()),
                             updated_at = now()
            WHERE run_id = \(run.id) AND step_id = \(step.stepId)
            """)
        try await context.enqueue(
            context.envelope(.workItem(item), runId: run.id, stepId: step.stepId, attempt: attempt),
            to: .work(step.specialist.routingKey), delay: delay)
        context.logger.info("step dispatched", metadata: [
            "step.id": "\(step.stepId)", "specialist": "\(step.specialist.rawValue)", "attempt": "\(attempt)",
        ])
        return true
    }

    private func requestApproval(for step: StepRecord, of run: RunRecord, _ context: inout Context) async throws {
        let approvalId = UUID()
        try await context.connection.execute("""
            INSERT INTO approvals (id, run_id, step_id, kind, approver_roles)
            VALUES (\(approvalId), \(run.id), \(step.stepId), 'step', \(["approver", "admin"]))
            """)
        try await context.connection.execute("""
            UPDATE steps SET status = 'awaiting_approval', updated_at = now()
            WHERE run_id = \(run.id) AND step_id = \(step.stepId)
            """)
        let description = run.plan?.step(id: step.stepId)?.description
        let summary = "\(step.specialist.rawValue) step '\(step.stepId)' wants to run \(step.tool)"
            + (description.map { ": \($0)" } ?? "")
        let requested = ApprovalRequested(
            approvalId: approvalId, kind: .step, stepId: step.stepId, summary: summary, risk: step.risk,
            approverRoles: ["approver", "admin"])
        try await context.publishFact(context.envelope(.approvalRequested(requested), runId: run.id, stepId: step.stepId))
        context.logger.info("approval requested", metadata: ["step.id": "\(step.stepId)", "approval.id": "\(approvalId)"])
    }

    private func complete(_ run: RunRecord, steps: [StepRecord], _ context: inout Context) async throws {
        var outputs: [String: JSONValue] = [:]
        for step in steps { outputs[step.stepId] = step.output ?? .null }
        try await context.connection.execute("""
            UPDATE runs SET status = 'completed', finished_at = now(), updated_at = now(), version = version + 1
            WHERE id = \(run.id)
            """)
        let summary = "completed \(steps.count) step\(steps.count == 1 ? "" : "s"): "
            + steps.map { "\($0.stepId) (\($0.tool))" }.joined(separator: ", ")
        try await context.publishFact(context.envelope(
            .runCompleted(RunCompleted(status: .completed, summary: summary, outputs: outputs, costUSD: run.costUSD,
                                       promptTokens: run.promptTokens, completionTokens: run.completionTokens)),
            runId: run.id))
        Counter(label: "agentry_runs_finished_total", dimensions: [("status", "completed")]).increment()
        context.logger.info("run completed")
    }

    private func failRun(_ run: RunRecord, reason: String, code: String, stepId: String?, _ context: inout Context) async throws {
        try await endRun(run, status: .failed, reason: reason, code: code, stepId: stepId, &context)
    }

    private func endRun(
        _ run: RunRecord, status: RunStatus, reason: String, code: String, stepId: String?, _ context: inout Context
    ) async throws {
        try await closeOpenWork(of: run.id, &context)
        try await context.connection.execute("""
            UPDATE runs SET status = \(status.rawValue), error = \(reason), finished_at = now(), updated_at = now(),
                            version = version + 1
            WHERE id = \(run.id)
            """)
        try await context.publishFact(context.envelope(
            .runFailed(RunFailed(reason: reason, failedStepId: stepId, code: code)), runId: run.id, stepId: stepId))
        Counter(label: "agentry_runs_finished_total", dimensions: [("status", status.rawValue)]).increment()
        context.logger.warning("run ended", metadata: ["status": "\(status.rawValue)", "reason": "\(reason)"])
    }

    /// Cancels steps that have not finished and expires pending approvals.
    private func closeOpenWork(of runId: UUID, _ context: inout Context) async throws {
        try await context.connection.execute("""
            UPDATE steps SET status = 'cancelled', updated_at = now()
            WHERE run_id = \(runId) AND status IN ('pending', 'ready', 'approved', 'awaiting_approval', 'dispatched')
            """)
        try await expireApprovals(of: runId, &context)
    }

    private func setStatus(_ status: RunStatus, of runId: UUID, _ context: inout Context) async throws {
        try await context.connection.execute("""
            UPDATE runs SET status = \(status.rawValue), updated_at = now(), version = version + 1 WHERE id = \(runId)
            """)
    }
}
