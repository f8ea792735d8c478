@testable import AgentryDirector
import AgentryContracts
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The director's state machine against a real PostgreSQL, driven envelope by envelope: what it
/// stores and what it writes to the outbox. (The bus side is covered by the end-to-end tests.)
@Suite(.enabled(if: TestStack.isEnabled, "needs the test stack (scripts/test)"))
struct DirectorTests {
    @Test func aRequestIsPlannedDispatchedJoinedAndCompleted() async throws {
        try await DirectorFixture.run { fixture in
            let requested = fixture.runRequested("summarise the open incidents and post them to #ops", externalEventId: "Ev1")
            try await fixture.director.handle(requested)
            let runId = try #require(requested.runId)
            #expect(try await fixture.runStatus(runId) == "planning")
            let ask = try #require(try await fixture.outbox().last)
            #expect(ask.envelope.type == .modelRequest)
            #expect(ask.replyTo == "director.inbox")
            #expect(ask.envelope.runId == runId)

            let plan = Plan(steps: [
                PlanStep(id: "incidents", specialist: .data, tool: "sql.query", input: ["sql": "SELECT 1"]),
                PlanStep(id: "post", specialist: .comm, tool: "slack.post",
                         input: ["channel": "#ops", "text": "Open incidents:\n{{steps.incidents.output.text}}",
                                 "rows": "{{steps.incidents.output.rows}}"],
                         dependsOn: ["incidents"]),
            ])
            try await fixture.director.handle(fixture.reply(to: ask.envelope, plan: plan))
            #expect(try await fixture.runStatus(runId) == "running")
            var sent = try await fixture.outbox()
            #expect(sent.map(\.envelope.type) == [.modelRequest, .runPlanned, .workItem])
            let first = try #require(sent.last)
            #expect(first.routingKey == "data")
            guard case .workItem(let item) = first.envelope.payload else { Issue.record("not a work item"); return }
            #expect(item.stepId == "incidents")
            #expect(first.envelope.stepId == "incidents")
            #expect(first.envelope.attempt == 1)
            #expect(item.idempotencyKey == "\(runId.uuidString.lowercased()):incidents")

            let rows: JSONValue = [["title": "db down"]]
            try await fixture.director.handle(fixture.completed(first.envelope, output: ["text": "db down", "rows": rows]))
            sent = try await fixture.outbox()
            let second = try #require(sent.last)
            guard case .workItem(let post) = second.envelope.payload else { Issue.record("not a work item"); return }
            #expect(post.stepId == "post")
            #expect(second.routingKey == "comm")
            #expect(post.input["text"] == "Open incidents:\ndb down")
            #expect(post.input["rows"] == rows)

            try await fixture.director.handle(fixture.completed(second.envelope, output: ["status": "captured"]))
            #expect(try await fixture.runStatus(runId) == "completed")
            let done = try #require(try await fixture.outbox().last)
            guard case .runCompleted(let completed) = done.envelope.payload else { Issue.record("not run.completed"); return }
            #expect(completed.status == .completed)
            #expect(completed.outputs["post"] == ["status": "captured"])
            #expect(done.routingKey == "run.completed")
        }
    }

    @Test func aRunContinuingAThreadRecordsItsFirstRunAndShowsThePlannerTheEarlierRequests() async throws {
        try await DirectorFixture.run { fixture in
            func requested(_ text: String, thread: UUID?, tenant: String? = nil) -> Envelope {
                Envelope(tenant: tenant ?? fixture.tenant, runId: UUID(), payload: .runRequested(RunRequested(
                    request: text, source: .email, sourceReference: SourceReference(emailFrom: "ana@example.com"),
                    threadRunId: thread)))
            }
            func threadOf(_ id: UUID) async throws -> UUID? {
                try await fixture.store.query("SELECT thread_run_id FROM runs WHERE id = \(id)").first?.decode(UUID?.self, at: 0)
            }
            func askedMessages(_ runId: UUID) async throws -> [ChatMessage] {
                let ask = try #require(try await fixture.outbox().last { $0.envelope.runId == runId && $0.envelope.type == .modelRequest })
                guard case .modelRequest(let request) = ask.envelope.payload else { throw DirectorTestError("not a model request") }
                return request.messages
            }
            let first = requested("summarise the open incidents", thread: nil)
            try await fixture.director.handle(first)
            let firstId = try #require(first.runId)
            #expect(try await threadOf(firstId) == nil)
            #expect(try await askedMessages(firstId).map(\.role) == [.system, .user])

            // A reply names the first run; a reply to that reply names the second: both belong to the first.
            let second = requested("and post them to #ops", thread: firstId)
            try await fixture.director.handle(second)
            let secondId = try #require(second.runId)
            #expect(try await threadOf(secondId) == firstId)
            let third = requested("thanks!", thread: secondId)
            try await fixture.director.handle(third)
            let thirdId = try #require(third.runId)
            #expect(try await threadOf(thirdId) == firstId)
            let messages = try await askedMessages(thirdId)
            #expect(messages.map(\.role) == [.system, .system, .user])
            #expect(messages[1].content.contains("1. \"summarise the open incidents\" (planning)"))
            #expect(messages[1].content.contains("2. \"and post them to #ops\" (planning)"))
            #expect(messages[2].content == "thanks!")

            // A thread id of another tenant, or of no run, is not taken.
            let foreign = requested("hello", thread: firstId, tenant: "other")
            try await fixture.director.handle(foreign)
            #expect(try await threadOf(try #require(foreign.runId)) == nil)
            let unknown = requested("hello again", thread: UUID())
            try await fixture.director.handle(unknown)
            #expect(try await fixture.runStatus(try #require(unknown.runId)) == "planning")
            #expect(try await threadOf(try #require(unknown.runId)) == nil)
        }
    }

    @Test func duplicatesChangeNothing() async throws {
        try await DirectorFixture.run { fixture in
            let requested = fixture.runRequested("post hello to #ops", externalEventId: "Ev-dup")
            try await fixture.director.handle(requested)
            try await fixture.director.handle(requested)
            // The same Slack event again, as a new envelope with a new run id: still one run.
            try await fixture.director.handle(fixture.runRequested("post hello to #ops", externalEventId: "Ev-dup"))
            #expect(try await fixture.count("runs") == 1)
            #expect(try await fixture.outbox().count == 1)

            let ask = try #require(try await fixture.outbox().first)
            let plan = Plan(steps: [PlanStep(id: "post", specialist: .comm, tool: "slack.post", input: ["channel": "#ops", "text": "hello"])])
            let reply = fixture.reply(to: ask.envelope, plan: plan)
            try await fixture.director.handle(reply)
            let work = try #require(try await fixture.outbox().last)
            let result = fixture.completed(work.envelope, output: [:])
            // Two directors receive the same result at once: one of them applies it.
            async let one: Void = fixture.director.handle(result)
            async let two: Void = fixture.director.handle(result)
            _ = try await (one, two)
            // A second, different envelope reporting the same step's result is ignored too.
            try await fixture.director.handle(fixture.completed(work.envelope, output: [:]))
            let types = try await fixture.outbox().map(\.envelope.type)
            #expect(types == [.modelRequest, .runPlanned, .workItem, .runCompleted])
        }
    }

    @Test func anInvalidPlanIsAskedForAgainThenFailsTheRun() async throws {
        try await DirectorFixture.run { fixture in
            let requested = fixture.runRequested("do something", externalEventId: nil)
            let runId = try #require(requested.runId)
            try await fixture.director.handle(requested)
            let ask = try #require(try await fixture.outbox().last)
            try await fixture.director.handle(fixture.reply(to: ask.envelope, content: "{\"steps\": [{\"id\": \"x\"}]}"))
            let again = try #require(try await fixture.outbox().last)
            #expect(again.envelope.type == .modelRequest)
            #expect(again.envelope.id != ask.envelope.id)
            guard case .modelRequest(let request) = again.envelope.payload else { Issue.record("not a model request"); return }
            #expect(request.messages.last?.content.contains("rejected") == true)
            // A late reply to the first request is stale now.
            try await fixture.director.handle(fixture.reply(to: ask.envelope, content: "not json"))
            #expect(try await fixture.outbox().count == 2)

            let cyclic = Plan(steps: [
                PlanStep(id: "a", specialist: .code, tool: "shell.run", dependsOn: ["b"]),
                PlanStep(id: "b", specialist: .code, tool: "shell.run", dependsOn: ["a"]),
            ])
            try await fixture.director.handle(fixture.reply(to: again.envelope, plan: cyclic))
            #expect(try await fixture.runStatus(runId) == "failed")
            let failed = try #require(try await fixture.outbox().last)
            guard case .runFailed(let reason) = failed.envelope.payload else { Issue.record("not run.failed"); return }
            #expect(reason.code == "invalid_plan")
            #expect(reason.reason.contains("plan was invalid"))
        }
    }

    @Test func aRetryableFailureIsRetriedWithBackOffThenFailsTheRun() async throws {
        try await DirectorFixture.run { fixture in
            let requested = fixture.runRequested("check the price", externalEventId: nil)
            let runId = try #require(requested.runId)
            try await fixture.director.handle(requested)
            let ask = try #require(try await fixture.outbox().last)
            let plan = Plan(steps: [PlanStep(id: "open", specialist: .browser, tool: "browser.open",
                                             input: ["url": "http://127.0.0.1:9/"], limits: StepLimits(maxAttempts: 2))])
            try await fixture.director.handle(fixture.reply(to: ask.envelope, plan: plan))
            let first = try #require(try await fixture.outbox().last)
            try await fixture.director.handle(fixture.failed(first.envelope, code: "navigation_failed", retryable: true))
            let retry = try #require(try await fixture.outbox().last)
            #expect(retry.envelope.type == .workItem)
            #expect(retry.envelope.attempt == 2)
            #expect(retry.delayTier == "1s")
            #expect(try await fixture.runStatus(runId) == "running")
            try await fixture.director.handle(fixture.failed(retry.envelope, code: "navigation_failed", retryable: true))
            #expect(try await fixture.runStatus(runId) == "failed")
            let failed = try #require(try await fixture.outbox().last)
            guard case .runFailed(let reason) = failed.envelope.payload else { Issue.record("not run.failed"); return }
            #expect(reason.failedStepId == "open")
            #expect(reason.code == "navigation_failed")
            #expect(reason.reason.contains("after 2 attempts"))
        }
    }

    @Test func aRiskyStepWaitsForApprovalAndRunsWhenApproved() async throws {
        try await DirectorFixture.run { fixture in
            let (runId, approvalId) = try await fixture.runWaitingForApproval()
            #expect(try await fixture.runStatus(runId) == "waiting_for_approval")
            try await fixture.director.handle(fixture.decision(approvalId, .approved))
            #expect(try await fixture.runStatus(runId) == "running")
            let work = try #require(try await fixture.outbox().last)
            guard case .workItem(let item) = work.envelope.payload else { Issue.record("not a work item"); return }
            #expect(item.stepId == "script")
            // A second decision on the same approval changes nothing.
            try await fixture.director.handle(fixture.decision(approvalId, .rejected))
            #expect(try await fixture.runStatus(runId) == "running")
        }
    }

    @Test func anApprovalWithAnEditedPlanContinuesWithTheEditedPlan() async throws {
        try await DirectorFixture.run { fixture in
            let requested = fixture.runRequested("count the incidents, then run a script", externalEventId: nil)
            try await fixture.director.handle(requested)
            let runId = try #require(requested.runId)
            let ask = try #require(try await fixture.outbox().last)
            let fetch = PlanStep(id: "fetch", specialist: .data, tool: "sql.query", input: ["sql": "SELECT 1"])
            let script = PlanStep(id: "script", specialist: .code, tool: "shell.run", input: ["script": "rm -rf /tmp/x"],
                                  dependsOn: ["fetch"], risk: .high)
            let notify = PlanStep(id: "notify", specialist: .comm, tool: "slack.post", input: ["channel": "#ops", "text": "x"],
                                  dependsOn: ["script"])
            try await fixture.director.handle(fixture.reply(to: ask.envelope, plan: Plan(steps: [fetch, script, notify])))
            let fetchWork = try #require(try await fixture.outbox().last)
            try await fixture.director.handle(fixture.completed(fetchWork.envelope, output: ["rows": [["n": 1]]]))
            let request = try #require(try await fixture.outbox().last)
            guard case .approvalRequested(let approval) = request.envelope.payload else { Issue.record("no approval"); return }

            // Changing a step that already ran is not applied: the approval stays pending.
            var rewritten = fetch
            rewritten.input = ["sql": "DELETE FROM incidents"]
            let before = try await fixture.outbox().count
            try await fixture.director.handle(fixture.decision(
                approval.approvalId, .approved, editedPlan: Plan(steps: [rewritten, script, notify])))
            #expect(try await fixture.outbox().count == before)
            #expect(try await fixture.scalar("SELECT count(*) FROM approvals WHERE status = 'pending'") == 1)

            // The approver narrows the script, drops the notification and adds a post.
            var safer = script
            safer.input = ["script": "ls /tmp/x"]
            let post = PlanStep(id: "post", specialist: .comm, tool: "slack.post",
                                input: ["channel": "#ops", "text": "{{steps.script.output.stdout}}"], dependsOn: ["script"])
            let edited = Plan(steps: [fetch, safer, post])
            try await fixture.director.handle(fixture.decision(approval.approvalId, .approved, editedPlan: edited))
            let sent = try await fixture.outbox().dropFirst(before)
            #expect(sent.map(\.envelope.type) == [.runPlanned, .workItem])
            guard case .runPlanned(let planned) = sent.first?.envelope.payload else { Issue.record("no run.planned"); return }
            #expect(planned.plan == edited)
            guard case .workItem(let item) = sent.last?.envelope.payload else { Issue.record("no work item"); return }
            #expect(item.stepId == "script")
            #expect(item.input == ["script": "ls /tmp/x"])
            let statuses = try await fixture.store.query(
                "SELECT step_id, status FROM steps WHERE run_id = \(runId) ORDER BY step_id"
            ).map { try $0.decode((String, String).self) }
            #expect(statuses.map { "\($0.0)=\($0.1)" } == ["fetch=succeeded", "notify=cancelled", "post=pending", "script=dispatched"])
            #expect(try await fixture.scalar("SELECT count(*) FROM approvals WHERE status = 'approved'") == 1)

            // The run completes with the edited plan's steps; the dropped one does not hold it up.
            try await fixture.director.handle(fixture.completed(try #require(sent.last).envelope, output: ["stdout": "x"]))
            let postWork = try #require(try await fixture.outbox().last)
            guard case .workItem(let postItem) = postWork.envelope.payload else { Issue.record("no post"); return }
            #expect(postItem.input["text"] == "x")
            try await fixture.director.handle(fixture.completed(postWork.envelope, output: ["status": "captured"]))
            #expect(try await fixture.runStatus(runId) == "completed")
        }
    }

    @Test func aRejectedStepEndsTheRunAsRejected() async throws {
        try await DirectorFixture.run { fixture in
            let (runId, approvalId) = try await fixture.runWaitingForApproval()
            try await fixture.director.handle(fixture.decision(approvalId, .rejected))
            #expect(try await fixture.runStatus(runId) == "rejected")
            let ended = try #require(try await fixture.outbox().last)
            guard case .runFailed(let reason) = ended.envelope.payload else { Issue.record("not run.failed"); return }
            #expect(reason.code == "rejected")
            #expect(reason.reason.contains("rejected by alice"))
        }
    }

    @Test func cancelPauseAndResume() async throws {
        try await DirectorFixture.run { fixture in
            let (runId, _) = try await fixture.runWaitingForApproval()
            try await fixture.director.handle(fixture.control(runId, .pause))
            #expect(try await fixture.runStatus(runId) == "paused")
            try await fixture.director.handle(fixture.control(runId, .resume))
            #expect(try await fixture.runStatus(runId) == "waiting_for_approval")
            try await fixture.director.handle(fixture.control(runId, .cancel))
            #expect(try await fixture.runStatus(runId) == "cancelled")
            let last = try #require(try await fixture.outbox().last)
            guard case .runCompleted(let completed) = last.envelope.payload else { Issue.record("not run.completed"); return }
            #expect(completed.status == .cancelled)
            #expect(try await fixture.scalar("SELECT count(*)::int8 FROM approvals WHERE status = 'expired'") == 1)
        }
    }
}

/// A fresh, migrated database per test and helpers to build envelopes and read the outbox.
struct DirectorFixture {
    let store: PostgresClient
    let director: Director
    let tenant = "acme"

    static func run(_ body: (DirectorFixture) async throws -> Void) async throws {
        var logger = Logger(label: "director-tests")
        logger.logLevel = .warning
        try await TestDatabase.withFresh(prefix: "agentry_t_director", poolSize: 4, logger: logger) { store, _ in
            try await body(DirectorFixture(store: store, director: Director(store: store, logger: logger, outboxWritten: {})))
        }
    }

    struct OutboxRow {
        var envelope: Envelope
        var routingKey: String
        var replyTo: String?
        var delayTier: String?
    }

    func outbox() async throws -> [OutboxRow] {
        let rows = try await store.query("SELECT envelope::text AS envelope, routing_key, reply_to, delay_tier FROM outbox ORDER BY id")
        return try rows.map { row in
            OutboxRow(
                envelope: try EnvelopeCodec().decode(Data(try row.decode(String.self, column: "envelope").utf8)),
                routingKey: try row.decode(String.self, column: "routing_key"),
                replyTo: try row.decode(String?.self, column: "reply_to"),
                delayTier: try row.decode(String?.self, column: "delay_tier"))
        }
    }

    func runStatus(_ id: UUID) async throws -> String? {
        try await store.query("SELECT status FROM runs WHERE id = \(id)").first?.decode(String.self, column: "status")
    }

    func count(_ table: String) async throws -> Int {
        try await scalar("SELECT count(*)::int8 FROM \(table)")
    }

    func scalar(_ sql: String) async throws -> Int {
        try await store.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int.self, at: 0) ?? 0
    }

    func runRequested(_ text: String, externalEventId: String?) -> Envelope {
        Envelope(tenant: tenant, runId: UUID(), payload: .runRequested(RunRequested(
            request: text, source: .slack, sourceReference: SourceReference(slackChannel: "C1", slackThreadTs: "1.2"),
            externalEventId: externalEventId)))
    }

    func reply(to request: Envelope, plan: Plan) -> Envelope {
        let data = try! JSONEncoder().encode(plan)
        return reply(to: request, content: String(decoding: data, as: UTF8.self))
    }

    func reply(to request: Envelope, content: String) -> Envelope {
        Envelope.caused(by: request, payload: .modelReply(ModelReply(content: content, entry: "offline/planner", promptTokens: 10, completionTokens: 20)))
    }

    func completed(_ work: Envelope, output: JSONValue) -> Envelope {
        Envelope.caused(by: work, payload: .stepCompleted(StepCompleted(output: output, durationMs: 5, idempotencyKey: "k")))
    }

    func failed(_ work: Envelope, code: String, retryable: Bool) -> Envelope {
        Envelope.caused(by: work, payload: .stepFailed(StepFailed(error: "connection refused", code: code, retryable: retryable)))
    }

    func decision(_ approvalId: UUID, _ decision: ApprovalDecided.Decision, editedPlan: Plan? = nil) -> Envelope {
        Envelope(tenant: tenant, payload: .approvalDecided(ApprovalDecided(
            approvalId: approvalId, decision: decision, decidedBy: "alice", comment: "no", editedPlan: editedPlan, via: .api)))
    }

    func control(_ runId: UUID, _ action: RunControl.Action) -> Envelope {
        Envelope(tenant: tenant, runId: runId, payload: .runControl(RunControl(action: action, requestedBy: "ops")))
    }

    /// A run whose only step is high risk, waiting for its approval; returns the run and approval ids.
    func runWaitingForApproval() async throws -> (UUID, UUID) {
        let requested = runRequested("run this script: echo hi", externalEventId: nil)
        try await director.handle(requested)
        let ask = try #require(try await outbox().last)
        let plan = Plan(steps: [PlanStep(id: "script", specialist: .code, tool: "shell.run",
                                         input: ["script": "echo hi"], risk: .high, description: "print hi")])
        try await director.handle(reply(to: ask.envelope, plan: plan))
        let request = try #require(try await outbox().last)
        guard case .approvalRequested(let approval) = request.envelope.payload else {
            throw PostgresError(.decoding, "expected approval.requested, got \(request.envelope.type.rawValue)")
        }
        #expect(approval.stepId == "script")
        #expect(approval.risk == .high)
        #expect(approval.summary.contains("print hi"))
        return (try #require(requested.runId), approval.approvalId)
    }
}

/// A test's own failure with a message.
struct DirectorTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
