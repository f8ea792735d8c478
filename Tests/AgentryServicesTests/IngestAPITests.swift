import AgentryBus
import AgentryContracts
import AgentryStore
import Foundation
import Testing

@testable import AgentryIngest

/// The ingest API over the in-memory bus and store: what it publishes, when, and how it answers.
@Suite struct IngestAPITests {
    // MARK: POST /v1/runs

    @Test func submittedRunIsPublishedThenAccepted() async throws {
        let harness = IngestHarness()
        let answer = await harness.api.submitRun(IngestHarness.json(
            #"{"request":"  summarise the open incidents  ","tenant":"acme","source":"cli","requestedBy":"ana"}"#,
            headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]))
        #expect(answer.status == .accepted)
        let runId = try answer.decode(RunAccepted.self).runId
        #expect(answer.location == "/v1/runs/\(runId)")
        let envelope = try #require(harness.facts.first)
        #expect(harness.facts.count == 1)
        #expect(envelope.type == .runRequested)
        #expect(envelope.runId?.wireString == runId)
        #expect(envelope.tenant == "acme")
        #expect(envelope.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(envelope.payload == .runRequested(RunRequested(
            request: "summarise the open incidents", source: .cli, requestedBy: "ana")))
        #expect(harness.counter("agentry_ingest_runs_requested_total", "source", "cli") == 1)
    }

    @Test func defaultsAreTheDefaultTenantAndTheAPISource() async throws {
        let harness = IngestHarness()
        let answer = await harness.api.submitRun(IngestHarness.json(#"{"request":"open https://example.com"}"#))
        #expect(answer.status == .accepted)
        let envelope = try #require(harness.facts.first)
        #expect(envelope.tenant == "default")
        #expect(envelope.payload.as(RunRequested.self)?.source == .api)
        #expect(envelope.traceparent.map(TraceContext.isValid) == true)
    }

    @Test func theSameExternalEventGetsTheSameRunId() async throws {
        let harness = IngestHarness()
        let body = #"{"request":"comment on OPS-1: done","source":"jira","externalEventId":"hook-42","sourceReference":{"jiraIssueKey":"OPS-1"}}"#
        let first = try await harness.api.submitRun(IngestHarness.json(body)).decode(RunAccepted.self)
        let second = try await harness.api.submitRun(IngestHarness.json(body)).decode(RunAccepted.self)
        let other = try await harness.api.submitRun(IngestHarness.json(
            body.replacingOccurrences(of: "hook-42", with: "hook-43"))).decode(RunAccepted.self)
        #expect(first == second)
        #expect(first != other)
        #expect(first.runId == RunIdentity.runId(tenant: "default", source: .jira, externalEventId: "hook-42").wireString)
        #expect(harness.facts.count == 3)
        #expect(harness.facts[0].payload.as(RunRequested.self)?.sourceReference == SourceReference(jiraIssueKey: "OPS-1"))
        // Without an external event id every request is its own run.
        let plain = #"{"request":"open https://example.com"}"#
        let a = try await harness.api.submitRun(IngestHarness.json(plain)).decode(RunAccepted.self)
        let b = try await harness.api.submitRun(IngestHarness.json(plain)).decode(RunAccepted.self)
        #expect(a != b)
    }

    @Test(arguments: [
        (#"{"request":""}"#, "invalid_request"),
        (#"{"request":"   \n "}"#, "invalid_request"),
        (#"{"request":"x","tenant":"no spaces"}"#, "invalid_request"),
        (#"{"request":"x","tenant":""}"#, "invalid_request"),
        (#"{"request":"x","source":"slack"}"#, "invalid_request"),
        (#"{"request":"x","source":"carrier-pigeon"}"#, "invalid_request"),
        (#"{"request":"x","externalEventId":""}"#, "invalid_request"),
        (#"{"request":5}"#, "malformed_json"),
        (#"{"tenant":"acme"}"#, "malformed_json"),
        (#"{"request":"x""#, "malformed_json"),
        (#"["request"]"#, "malformed_json"),
        ("", "malformed_json"),
    ])
    func invalidBodiesAre400AndPublishNothing(body: String, code: String) async {
        let harness = IngestHarness()
        let answer = await harness.api.submitRun(IngestHarness.json(body))
        #expect(answer.status == .badRequest)
        #expect(answer.errorCode == code)
        #expect(harness.facts.isEmpty)
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", code) == 1)
    }

    @Test func overlongRequestIs400() async {
        let harness = IngestHarness()
        let text = String(repeating: "é", count: 10_001)
        let answer = await harness.api.submitRun(IngestHarness.json(#"{"request":"\#(text)"}"#))
        #expect(answer.status == .badRequest)
        let exact = await harness.api.submitRun(IngestHarness.json(#"{"request":"\#(text.dropFirst())"}"#))
        #expect(exact.status == .accepted)
    }

    @Test(arguments: [nil, "text/plain", "application/x-www-form-urlencoded", "json"])
    func nonJSONBodiesAre415(contentType: String?) async {
        let harness = IngestHarness()
        let headers = contentType.map { ["Content-Type": $0] } ?? [:]
        let answer = await harness.api.submitRun(APIRequest(headers: headers, body: Array(#"{"request":"x"}"#.utf8)))
        #expect(answer.status == .unsupportedMediaType)
        #expect(answer.errorCode == "unsupported_media_type")
        #expect(harness.facts.isEmpty)
    }

    @Test func jsonWithParametersIsAccepted() async {
        let harness = IngestHarness()
        let answer = await harness.api.submitRun(APIRequest(
            headers: ["content-type": "Application/JSON; charset=utf-8"], body: Array(#"{"request":"x"}"#.utf8)))
        #expect(answer.status == .accepted)
    }

    @Test func brokerDownIs503AndNothingIsAccepted() async throws {
        let harness = IngestHarness()
        harness.bus.isConnected = false
        let answer = await harness.api.submitRun(IngestHarness.json(#"{"request":"open https://example.com"}"#))
        #expect(answer.status == .serviceUnavailable)
        #expect(answer.errorCode == "broker_unavailable")
        #expect(try answer.decode(APIErrorBody.self).error.message.contains("try again"))
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "broker_unavailable") == 1)
        #expect(harness.counter("agentry_ingest_runs_requested_total", "source", "api") == 0)
    }

    @Test func aBrokerThatNeverConfirmsIs503AfterTheTimeout() async throws {
        let harness = IngestHarness()
        let api = IngestAPI(
            configuration: IngestConfiguration(publishTimeout: .milliseconds(200)), bus: SilentBus(),
            store: harness.store, logger: harness.api.logger)
        let clock = ContinuousClock()
        let started = clock.now
        let answer = await api.submitRun(IngestHarness.json(#"{"request":"x"}"#))
        #expect(answer.status == .serviceUnavailable)
        // Far below the silent bus's hour: the deadline answered, not the bus (loose: a loaded machine's
        // cooperative pool can hold a 200 ms timer back by seconds).
        #expect(started.duration(to: clock.now) < .seconds(60))
    }

    // MARK: POST /v1/webhooks/slack

    @Test func aMentionInARunsSlackThreadContinuesThatRun() async throws {
        let harness = IngestHarness()
        let first = UUID()
        harness.store.add(slackThread: first, channel: "C0OPS", threadTs: "1717990000.000100")
        let inThread = IngestHarness.slackEvent(
            eventId: "Ev0THREAD1", text: "<@U0BOT> and post them to #eng too", extra: #","thread_ts":"1717990000.000100""#)
        let answer = await harness.api.receiveSlackEvent(IngestHarness.slack(inThread))
        #expect(answer.status == .ok)
        let run = try #require(harness.facts.last?.payload.as(RunRequested.self))
        #expect(run.threadRunId == first)
        #expect(run.sourceReference?.slackThreadTs == "1717990000.000100")

        // A top-level mention starts its own thread; a thread nobody knows, or a database that cannot
        // say, costs only the link.
        _ = await harness.api.receiveSlackEvent(IngestHarness.slack(IngestHarness.slackEvent(eventId: "Ev0TOP")))
        #expect(try #require(harness.facts.last?.payload.as(RunRequested.self)).threadRunId == nil)
        _ = await harness.api.receiveSlackEvent(IngestHarness.slack(IngestHarness.slackEvent(
            eventId: "Ev0OTHER", extra: #","thread_ts":"1600000000.000001""#)))
        #expect(try #require(harness.facts.last?.payload.as(RunRequested.self)).threadRunId == nil)
        harness.store.fail(with: PostgresError(.connectionFailed, "connection refused"))
        let down = await harness.api.receiveSlackEvent(IngestHarness.slack(IngestHarness.slackEvent(
            eventId: "Ev0DOWN", extra: #","thread_ts":"1717990000.000100""#)))
        #expect(down.status == .ok)
        #expect(try #require(harness.facts.last?.payload.as(RunRequested.self)).threadRunId == nil)
        #expect(harness.facts.count == 4)
    }

    @Test func signedMentionBecomesARun() async throws {
        let harness = IngestHarness()
        let answer = await harness.api.receiveSlackEvent(IngestHarness.slack(IngestHarness.slackEvent()))
        #expect(answer.status == .ok)
        let acknowledgement = try answer.decode(SlackAcknowledgement.self)
        let envelope = try #require(harness.facts.first)
        #expect(acknowledgement.runId == envelope.runId?.wireString)
        #expect(envelope.tenant == "acme")
        let request = try #require(envelope.payload.as(RunRequested.self))
        #expect(request.source == .slack)
        #expect(request.externalEventId == "Ev0123ABC")
        #expect(request.request == "summarise the open incidents and post them to #ops")
        // Slack retries carry the same event id: the same run id.
        let retry = await harness.api.receiveSlackEvent(IngestHarness.slack(IngestHarness.slackEvent()))
        #expect(try retry.decode(SlackAcknowledgement.self).runId == acknowledgement.runId)
        #expect(acknowledgement.runId == RunIdentity.runId(tenant: "acme", source: .slack, externalEventId: "Ev0123ABC").wireString)
        #expect(harness.facts.count == 2)
        // A retry (X-Slack-Retry-Num) of an event whose run exists is answered without publishing.
        var known = IngestAPITests.run(UUID(uuidString: try #require(acknowledgement.runId))!)
        known.status = "running"
        harness.store.add(known)
        var retried = IngestHarness.slack(IngestHarness.slackEvent())
        retried = APIRequest(
            headers: ["Content-Type": "application/json", "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout",
                      "X-Slack-Request-Timestamp": retried.header("x-slack-request-timestamp") ?? "",
                      "X-Slack-Signature": retried.header("x-slack-signature") ?? ""],
            body: retried.body)
        let third = await harness.api.receiveSlackEvent(retried)
        #expect(try third.decode(SlackAcknowledgement.self).runId == acknowledgement.runId)
        #expect(harness.facts.count == 2)
        #expect(harness.counter("agentry_ingest_slack_events_ignored_total", "reason", "retry_of_known_event") == 1)
    }

    @Test(arguments: [
        ("stale", IngestHarness.now.addingTimeInterval(-600), nil as String?, "signature_stale"),
        ("future", IngestHarness.now.addingTimeInterval(600), nil, "signature_future"),
        ("forged", IngestHarness.now, "v0=" + String(repeating: "ab", count: 32), "signature_mismatch"),
        ("malformed", IngestHarness.now, "sha256=abc", "signature_malformed"),
    ])
    func badSignaturesAre401AndPublishNothing(name: String, timestamp: Date, signature: String?, reason: String) async {
        let harness = IngestHarness()
        let answer = await harness.api.receiveSlackEvent(
            IngestHarness.slack(IngestHarness.slackEvent(), timestamp: timestamp, signature: signature))
        #expect(answer.status == .unauthorized, "\(name)")
        #expect(answer.errorCode == "invalid_signature")
        #expect(harness.facts.isEmpty)
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", reason) == 1)
    }

    @Test func signatureIsCheckedBeforeTheContentType() async {
        let harness = IngestHarness()
        var request = IngestHarness.slack("not json", signature: "v0=00")
        request = APIRequest(headers: ["X-Slack-Signature": "v0=00", "Content-Type": "text/plain"], body: request.body)
        #expect(await harness.api.receiveSlackEvent(request).status == .unauthorized)
    }

    @Test func urlVerificationIsAnsweredWithTheChallenge() async throws {
        let harness = IngestHarness()
        let answer = await harness.api.receiveSlackEvent(
            IngestHarness.slack(#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd","type":"url_verification"}"#))
        #expect(answer.status == .ok)
        #expect(try answer.decode(SlackChallenge.self) == SlackChallenge(challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd"))
        #expect(harness.facts.isEmpty)
    }

    @Test func botMessagesAreAcknowledgedWithoutARun() async throws {
        let harness = IngestHarness()
        let answer = await harness.api.receiveSlackEvent(
            IngestHarness.slack(IngestHarness.slackEvent(extra: #","bot_id":"B1""#)))
        #expect(answer.status == .ok)
        #expect(try answer.decode(SlackAcknowledgement.self).ignored == "bot_message")
        #expect(harness.facts.isEmpty)
        #expect(harness.counter("agentry_ingest_slack_events_ignored_total", "reason", "bot_message") == 1)
    }

    @Test func slackWithoutASecretIsDisabled() async {
        let harness = IngestHarness(configuration: IngestConfiguration())
        let answer = await harness.api.receiveSlackEvent(IngestHarness.slack(IngestHarness.slackEvent()))
        #expect(answer.status == .notFound)
        #expect(answer.errorCode == "slack_not_configured")
        #expect(harness.facts.isEmpty)
    }

    @Test func signedButMalformedSlackBodiesAre400() async {
        let harness = IngestHarness()
        #expect(await harness.api.receiveSlackEvent(IngestHarness.slack("{oops")).status == .badRequest)
        #expect(await harness.api.receiveSlackEvent(IngestHarness.slack(#"{"team_id":"T1"}"#)).status == .badRequest)
    }

    // MARK: GET /v1/runs, GET /v1/runs/{id}

    static func run(_ id: UUID = UUID()) -> RunDetail {
        var run = RunDetail(
            id: id.wireString, tenant: "acme", source: "slack", externalEventId: "Ev1", request: "x", status: "completed",
            error: nil, plan: ["steps": [["id": "fetch"], ["id": "post"]]], sourceReference: nil, budgetUSD: nil,
            costUSD: 0.25, promptTokens: 10, completionTokens: 5, createdAt: IngestHarness.now,
            updatedAt: IngestHarness.now, startedAt: nil, finishedAt: IngestHarness.now,
            steps: [step("post", status: "succeeded", output: ["status": "delivered"]),
                    step("fetch", status: "succeeded", output: ["rowCount": 2])],
            approvals: [], deliveries: [], outputs: [:])
        run.arrangeSteps()
        return run
    }

    static func step(_ id: String, status: String, output: JSONValue?) -> StepView {
        StepView(
            id: id, specialist: "data", tool: "sql.query", description: nil, status: status, risk: "low", dependsOn: [],
            attempts: 1, maxAttempts: 3, input: [:], output: output, error: nil, createdAt: IngestHarness.now,
            updatedAt: IngestHarness.now, startedAt: nil, finishedAt: nil)
    }

    @Test func runIsShownWithStepsInPlanOrderAndOutputs() async throws {
        let harness = IngestHarness()
        let run = Self.run()
        harness.store.add(run)
        let answer = await harness.api.run(id: run.id.uppercased())
        #expect(answer.status == .ok)
        let shown = try answer.decode(RunDetail.self)
        #expect(shown == run)
        #expect(shown.steps.map(\.id) == ["fetch", "post"])
        #expect(shown.outputs == ["fetch": ["rowCount": 2], "post": ["status": "delivered"]])
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains(#""createdAt":"2024-06-10T06:13:20.000Z""#))
    }

    @Test func unknownRunIs404AndMalformedIdIs400() async {
        let harness = IngestHarness()
        let missing = await harness.api.run(id: UUID().uuidString)
        #expect(missing.status == .notFound)
        #expect(missing.errorCode == "not_found")
        let malformed = await harness.api.run(id: "not-a-uuid")
        #expect(malformed.status == .badRequest)
        #expect(malformed.errorCode == "invalid_request")
    }

    @Test func databaseOutageIs503() async {
        let harness = IngestHarness()
        harness.store.fail(with: PostgresError(.connectionFailed, "connection refused"))
        let answer = await harness.api.run(id: UUID().uuidString)
        #expect(answer.status == .serviceUnavailable)
        #expect(answer.errorCode == "database_unavailable")
        harness.store.fail(with: PostgresError(.decoding, "bad column"))
        #expect(await harness.api.run(id: UUID().uuidString).status == .internalServerError)
    }

    @Test func runListTakesLimitStatusAndTenant() async throws {
        let harness = IngestHarness()
        let summaries = (0..<3).map { index in
            RunSummary(
                id: UUID().wireString, tenant: "acme", source: "api", status: "running", request: "r\(index)",
                error: nil, costUSD: 0, createdAt: IngestHarness.now, updatedAt: IngestHarness.now, finishedAt: nil)
        }
        harness.store.add(summaries)
        let all = await harness.api.listRuns(limit: nil, status: nil, tenant: nil)
        #expect(try all.decode(RunList.self).runs == summaries)
        let some = await harness.api.listRuns(limit: "2", status: "running", tenant: "acme")
        #expect(try some.decode(RunList.self).runs == Array(summaries.prefix(2)))
        #expect(harness.store.filters == [
            RunFilter(limit: 50, status: nil, tenant: nil), RunFilter(limit: 2, status: "running", tenant: "acme"),
        ])
        for (limit, status, tenant) in [("0", nil, nil), ("501", nil, nil), ("ten", nil, nil), (nil, "done", nil), (nil, nil, "a b")] {
            let answer = await harness.api.listRuns(limit: limit, status: status, tenant: tenant)
            #expect(answer.status == .badRequest)
        }
        #expect(try await harness.api.listRuns(limit: "500", status: nil, tenant: nil).decode(RunList.self).runs.count == 3)
        // Source, time window and cursor.
        let cursor = RunCursor(createdMicroseconds: 1_718_000_000_123_456, id: UUID())
        let filtered = await harness.api.listRuns(
            limit: "10", status: nil, tenant: nil, source: "jira", since: "2024-06-10T00:00:00Z", until: "2024-06-11T00:00:00.5Z",
            cursor: cursor.token)
        #expect(filtered.status == .ok)
        #expect(harness.store.filters.last == RunFilter(
            limit: 10, status: nil, tenant: nil, source: "jira", since: RFC3339.date(from: "2024-06-10T00:00:00Z"),
            until: RFC3339.date(from: "2024-06-11T00:00:00.5Z"), after: cursor))
        #expect(RunCursor(token: cursor.token) == cursor)
        for (source, since, cursor) in [("fax", nil, nil), (nil, "yesterday", nil), (nil, nil, "not-a-cursor"), (nil, nil, "")] as [(String?, String?, String?)] {
            let answer = await harness.api.listRuns(limit: nil, status: nil, tenant: nil, source: source, since: since, cursor: cursor)
            #expect(answer.status == .badRequest)
        }
    }

    // MARK: POST /v1/approvals/{id}

    @Test func pendingApprovalDecisionIsPublished() async throws {
        let harness = IngestHarness()
        let approval = ApprovalTarget(id: UUID(), runId: UUID(), stepId: "email", tenant: "acme", status: "pending")
        harness.store.add(approval)
        let answer = await harness.api.decideApproval(
            id: approval.id.wireString,
            IngestHarness.json(#"{"decision":"approved","decidedBy":"ana@example.com","comment":"ok"}"#))
        #expect(answer.status == .accepted)
        #expect(try answer.decode(ApprovalAccepted.self) == ApprovalAccepted(
            approvalId: approval.id.wireString, runId: approval.runId.wireString, decision: "approved"))
        let envelope = try #require(harness.facts.first)
        #expect(envelope.tenant == "acme")
        #expect(envelope.runId == approval.runId)
        #expect(envelope.stepId == "email")
        #expect(envelope.payload == .approvalDecided(ApprovalDecided(
            approvalId: approval.id, decision: .approved, decidedBy: "ana@example.com", comment: "ok", via: .api)))
        #expect(harness.counter("agentry_ingest_approvals_decided_total", "decision", "approved") == 1)
    }

    @Test func anApprovalMayCarryAnEditedPlanThatKeepsWhatHasRun() async throws {
        let harness = IngestHarness()
        var run = Self.run()
        run.status = "waiting_for_approval"
        run.steps = [
            Self.step("fetch", status: "succeeded", output: ["rows": []]),
            Self.step("script", status: "awaiting_approval", output: nil),
        ]
        run.steps[0].input = ["sql": "SELECT 1"]
        harness.store.add(run)
        let runId = try #require(UUID(uuidString: run.id))
        let approval = ApprovalTarget(id: UUID(), runId: runId, stepId: "script", tenant: "acme", status: "pending")
        harness.store.add(approval)
        func decide(_ body: String) async -> APIResponse {
            await harness.api.decideApproval(id: approval.id.wireString, IngestHarness.json(body))
        }
        let fetch = #"{"id":"fetch","specialist":"data","tool":"sql.query","input":{"sql":"SELECT 1"}}"#
        let script = #"{"id":"script","specialist":"code","tool":"shell.run","input":{"script":"ls"},"dependsOn":["fetch"],"risk":"high"}"#

        // Bad edits publish nothing.
        let rejectedWithPlan = await decide(#"{"decision":"rejected","decidedBy":"ana","editedPlan":{"steps":[\#(fetch)]}}"#)
        #expect(rejectedWithPlan.status == .badRequest)
        #expect(try rejectedWithPlan.decode(APIErrorBody.self).error.message.contains("only with the decision \"approved\""))
        let cyclic = await decide(#"{"decision":"approved","decidedBy":"ana","editedPlan":{"steps":[{"id":"a","specialist":"data","tool":"sql.query","dependsOn":["b"]},{"id":"b","specialist":"data","tool":"sql.query","dependsOn":["a"]}]}}"#)
        #expect(cyclic.status == .badRequest)
        #expect(cyclic.errorCode == "invalid_plan")
        let empty = await decide(#"{"decision":"approved","decidedBy":"ana","editedPlan":{"steps":[]}}"#)
        #expect(empty.errorCode == "invalid_plan")
        let rewritesHistory = await decide(
            #"{"decision":"approved","decidedBy":"ana","editedPlan":{"steps":[{"id":"fetch","specialist":"data","tool":"sql.query","input":{"sql":"DELETE FROM incidents"}},\#(script)]}}"#)
        #expect(rewritesHistory.status == .conflict)
        #expect(rewritesHistory.errorCode == "plan_conflict")
        #expect(try rewritesHistory.decode(APIErrorBody.self).error.message.contains("step 'fetch' has already started (succeeded); its input cannot change"))
        let dropsHistory = await decide(#"{"decision":"approved","decidedBy":"ana","editedPlan":{"steps":[\#(script.replacingOccurrences(of: #","dependsOn":["fetch"]"#, with: ""))]}}"#)
        #expect(dropsHistory.errorCode == "plan_conflict")
        #expect(harness.facts.isEmpty)

        // A good edit is published with the decision.
        let good = await decide(#"{"decision":"approved","decidedBy":"ana","editedPlan":{"steps":[\#(fetch),\#(script)]}}"#)
        #expect(good.status == .accepted)
        let decided = try #require(harness.facts.first?.payload.as(ApprovalDecided.self))
        #expect(decided.editedPlan?.steps.map(\.id) == ["fetch", "script"])
        #expect(decided.editedPlan?.step(id: "script")?.input == ["script": "ls"])
    }

    @Test func decidedOrUnknownApprovalsAreRefused() async {
        let harness = IngestHarness()
        let decided = ApprovalTarget(id: UUID(), runId: UUID(), stepId: nil, tenant: "acme", status: "rejected")
        harness.store.add(decided)
        let body = IngestHarness.json(#"{"decision":"rejected","decidedBy":"ana"}"#)
        let conflict = await harness.api.decideApproval(id: decided.id.wireString, body)
        #expect(conflict.status == .conflict)
        #expect(conflict.errorCode == "approval_not_pending")
        #expect(await harness.api.decideApproval(id: UUID().wireString, body).status == .notFound)
        #expect(await harness.api.decideApproval(id: "42", body).status == .badRequest)
        #expect(harness.facts.isEmpty)
    }

    @Test(arguments: [
        #"{"decision":"maybe","decidedBy":"ana"}"#,
        #"{"decision":"approved","decidedBy":"  "}"#,
        #"{"decision":"approved"}"#,
    ])
    func invalidDecisionsAre400(body: String) async {
        let harness = IngestHarness()
        let approval = ApprovalTarget(id: UUID(), runId: UUID(), stepId: nil, tenant: "acme", status: "pending")
        harness.store.add(approval)
        let answer = await harness.api.decideApproval(id: approval.id.wireString, IngestHarness.json(body))
        #expect(answer.status == .badRequest)
        #expect(harness.facts.isEmpty)
    }
}

/// A bus whose publishes never get a confirm.
private struct SilentBus: MessageBus {
    func publish(_ envelope: Envelope, to route: Route, replyTo: String?, delay: RetryTier?) async throws {
        try await Task.sleep(for: .seconds(3_600))
    }

    func subscribe(to queue: String, prefetch: Int) async throws -> EnvelopeSubscription {
        EnvelopeSubscription(stream: AsyncThrowingStream { $0.finish() })
    }

    var isConnected: Bool { true }
}
