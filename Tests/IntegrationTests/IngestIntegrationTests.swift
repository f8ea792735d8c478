import AgentryBus
import AgentryContracts
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

@testable import AgentryIngest

/// The ingest gateway over HTTP against the real broker and database: what it publishes, what it
/// refuses, and what it reads back.
@Suite(.enabled(if: TestStack.isEnabled, "needs the broker and database started by scripts/test"), .serialized)
struct IngestIntegrationTests {
    /// A decoder for the API's RFC 3339 dates.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: text)
            }
            return date
        }
        return decoder
    }

    @Test func submittedRunArrivesAsRunRequestedOnTheEventsExchange() async throws {
        try await IngestStack.with { stack in
            let response = try await stack.post(
                "/v1/runs", #"{"request":"query: SELECT 1","tenant":"\#(stack.tenant)","requestedBy":"integration"}"#)
            #expect(response.status == 202)
            let runId = try JSONDecoder().decode(RunAccepted.self, from: response.body).runId
            #expect(response.headers["location"] == "/v1/runs/\(runId)")
            let envelope = try await stack.facts.first("run.requested for \(runId)") { $0.runId?.wireString == runId }
            #expect(envelope.type == .runRequested)
            #expect(envelope.tenant == stack.tenant)
            #expect(envelope.payload == .runRequested(RunRequested(
                request: "query: SELECT 1", source: .api, requestedBy: "integration")))
        }
    }

    @Test func sameExternalEventTwiceCarriesOneRunId() async throws {
        try await IngestStack.with { stack in
            let body = #"{"request":"query: SELECT 1","tenant":"\#(stack.tenant)","source":"webhook","externalEventId":"delivery-7"}"#
            let first = try JSONDecoder().decode(RunAccepted.self, from: try await stack.post("/v1/runs", body).body)
            let second = try JSONDecoder().decode(RunAccepted.self, from: try await stack.post("/v1/runs", body).body)
            #expect(first == second)
            try await eventually("both envelopes arrived") {
                await stack.facts.envelopes.filter { $0.runId?.wireString == first.runId }.count == 2
            }
        }
    }

    @Test func badSlackSignatureIs401AndPublishesNothing() async throws {
        try await IngestStack.with { stack in
            let forged = "EvForged" + UUID().uuidString.prefix(8)
            let bad = try await stack.postSlack(
                IngestStack.slackMention(eventId: forged), signature: "v0=" + String(repeating: "0", count: 64))
            #expect(bad.status == 401)
            #expect(IngestStack.errorCode(bad) == "invalid_signature")
            let unsigned = try await stack.post("/v1/webhooks/slack", IngestStack.slackMention(eventId: forged))
            #expect(unsigned.status == 401)

            // A genuine event sent afterwards arrives; the queue keeps order, so the forged one never came.
            let genuine = "EvGenuine" + UUID().uuidString.prefix(8)
            let good = try await stack.postSlack(IngestStack.slackMention(eventId: genuine))
            #expect(good.status == 200)
            let runId = try JSONDecoder().decode(SlackAcknowledgement.self, from: good.body).runId
            let envelope = try await stack.facts.first("the genuine event") {
                $0.payload.as(RunRequested.self)?.externalEventId == genuine
            }
            #expect(envelope.runId?.wireString == runId)
            #expect(envelope.payload.as(RunRequested.self)?.source == .slack)
            #expect(envelope.payload.as(RunRequested.self)?.request == "query: SELECT 1")
            #expect(await !stack.facts.envelopes.contains {
                $0.payload.as(RunRequested.self)?.externalEventId == forged
            })
        }
    }

    @Test func urlVerificationIsAnswered() async throws {
        try await IngestStack.with { stack in
            let response = try await stack.postSlack(#"{"token":"t","challenge":"ch4ll3ng3","type":"url_verification"}"#)
            #expect(response.status == 200)
            #expect(try JSONDecoder().decode(SlackChallenge.self, from: response.body).challenge == "ch4ll3ng3")
        }
    }

    @Test func refusedBodiesGetJSONErrors() async throws {
        try await IngestStack.with(maxBodyBytes: 4_096) { stack in
            let large = #"{"request":"\#(String(repeating: "x", count: 8_000))"}"#
            let tooLarge = try await stack.post("/v1/runs", large)
            #expect(tooLarge.status == 413)
            #expect(IngestStack.errorCode(tooLarge) == "body_too_large")
            let slackTooLarge = try await stack.postSlack(large)
            #expect(slackTooLarge.status == 413)

            let plain = try await stack.post("/v1/runs", #"{"request":"x"}"#, headers: ["Content-Type": "text/plain"])
            #expect(plain.status == 415)
            #expect(IngestStack.errorCode(plain) == "unsupported_media_type")

            let malformed = try await stack.post("/v1/runs", #"{"request": "#)
            #expect(malformed.status == 400)
            #expect(IngestStack.errorCode(malformed) == "malformed_json")

            let empty = try await stack.post("/v1/runs", #"{"request":"   "}"#)
            #expect(empty.status == 400)
            #expect(IngestStack.errorCode(empty) == "invalid_request")

            // The server still answers after refusing bodies part-way.
            let after = try await stack.post("/v1/runs", #"{"request":"query: SELECT 1","tenant":"\#(stack.tenant)"}"#)
            #expect(after.status == 202)
        }
    }

    @Test func runIsReadBackWithStepsApprovalsDeliveriesAndOutputs() async throws {
        try await IngestStack.with { stack in
            let runId = UUID()
            let approvalId = UUID()
            try await Self.seedRun(runId, approvalId: approvalId, tenant: stack.tenant, on: stack.store)

            let response = try await stack.get("/v1/runs/\(runId.wireString)")
            #expect(response.status == 200)
            let run = try Self.decoder().decode(RunDetail.self, from: response.body)
            #expect(run.id == runId.wireString)
            #expect(run.tenant == stack.tenant)
            #expect(run.status == "waiting_for_approval")
            #expect(run.costUSD == 0.125)
            #expect(run.sourceReference == ["slackChannel": "C0OPS"])
            #expect(run.steps.map(\.id) == ["incidents", "post"])
            #expect(run.steps[1].dependsOn == ["incidents"])
            #expect(run.steps[1].status == "awaiting_approval")
            #expect(run.outputs == ["incidents": ["rowCount": 2, "text": "id | title"]])
            #expect(run.approvals.map(\.id) == [approvalId.wireString])
            #expect(run.approvals.first?.approverRoles == ["approver"])
            #expect(run.deliveries.map(\.target) == ["#ops"])
            #expect(run.deliveries.first?.payload == ["text": "hello"])
            // The steps alone (what an edited plan is checked against): only the finished one has started.
            let steps = try await PostgresRunStore(client: stack.store).steps(ofRun: runId)
            #expect(Set(steps.map(\.id)) == ["incidents", "post"])
            #expect(steps.compactMap(\.started).map(\.id) == ["incidents"])

            let list = try await stack.get("/v1/runs?tenant=\(stack.tenant)")
            #expect(try Self.decoder().decode(RunList.self, from: list.body).runs.map(\.id) == [runId.wireString])
            let none = try await stack.get("/v1/runs?tenant=\(stack.tenant)&status=completed")
            #expect(try Self.decoder().decode(RunList.self, from: none.body).runs.isEmpty)

            let missing = try await stack.get("/v1/runs/\(UUID().wireString)")
            #expect(missing.status == 404)
            #expect(IngestStack.errorCode(missing) == "not_found")
            #expect(try await stack.get("/v1/runs/not-a-run").status == 400)
        }
    }

    @Test func runsArePagedByCursorAndFilteredBySourceAndTime() async throws {
        try await IngestStack.with { stack in
            // Five runs, two of them created in the same microsecond: the id breaks the tie.
            var ids: [UUID] = []
            for (index, source) in ["api", "jira", "api", "slack", "api"].enumerated() {
                let id = UUID()
                ids.append(id)
                let created = index == 4 ? "2026-03-02 09:00:03+00" : "2026-03-02 09:00:0\(index)+00"
                try await stack.store.execute("""
                    INSERT INTO runs (id, tenant, source, request, status, created_at)
                    VALUES (\(id), \(stack.tenant), \(source), 'r', 'completed', \(created)::timestamptz)
                    """)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/v1/runs?tenant=\(stack.tenant)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try Self.decoder().decode(RunList.self, from: try await stack.get(query).body)
                seen += page.runs.map(\.id)
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            #expect(seen.first == ids[3].wireString || seen.first == ids[4].wireString)
            #expect(seen.last == ids[0].wireString)
            let jira = try Self.decoder().decode(RunList.self, from: try await stack.get(
                "/v1/runs?tenant=\(stack.tenant)&source=jira").body)
            #expect(jira.runs.map(\.id) == [ids[1].wireString])
            let window = try Self.decoder().decode(RunList.self, from: try await stack.get(
                "/v1/runs?tenant=\(stack.tenant)&since=2026-03-02T09:00:01Z&until=2026-03-02T09:00:03Z").body)
            #expect(Set(window.runs.map(\.id)) == [ids[1].wireString, ids[2].wireString])
        }
    }

    @Test func approvalsAndTheAuditTrailAreListedFromTheDatabase() async throws {
        try await IngestStack.with { stack in
            let runId = UUID()
            let approvalId = UUID()
            try await Self.seedRun(runId, approvalId: approvalId, tenant: stack.tenant, on: stack.store)
            for sequence in 1...3 {
                try await stack.store.execute("""
                    INSERT INTO audit_log (envelope_id, occurred_at, tenant, run_id, actor, action, payload, prev_hash, hash)
                    VALUES (\(UUID()), now(), \(stack.tenant), \(runId), 'director', \(sequence == 3 ? "run.planned" : "run.requested"),
                            \(PostgresJSON(["n": sequence])), \(sequence == 1 ? nil : "h\(sequence - 1)"), \("h\(sequence)"))
                    """)
            }
            let approvals = try await stack.get("/v1/approvals?tenant=\(stack.tenant)")
            #expect(approvals.status == 200)
            let listed = try Self.decoder().decode(ApprovalList.self, from: approvals.body).approvals
            #expect(listed.map(\.id) == [approvalId.wireString])
            #expect(listed.first?.runId == runId.wireString)
            #expect(listed.first?.approverRoles == ["approver"])
            let decided = try await stack.get("/v1/approvals?tenant=\(stack.tenant)&status=approved")
            #expect(try Self.decoder().decode(ApprovalList.self, from: decided.body).approvals.isEmpty)

            let page = try await stack.get("/v1/runs/\(runId.wireString)/audit?limit=2")
            let trail = try Self.decoder().decode(AuditTrail.self, from: page.body)
            #expect(trail.entries.map(\.hash) == ["h1", "h2"])
            #expect(trail.entries.last?.previousHash == "h1")
            #expect(trail.entries.first?.payload == ["n": 1])
            let next = try #require(trail.next)
            let rest = try await stack.get("/v1/runs/\(runId.wireString)/audit?after=\(next)")
            #expect(try Self.decoder().decode(AuditTrail.self, from: rest.body).entries.map(\.action) == ["run.planned"])
        }
    }

    @Test func approvalDecisionIsPublishedOnlyWhilePending() async throws {
        try await IngestStack.with { stack in
            let runId = UUID()
            let approvalId = UUID()
            try await Self.seedRun(runId, approvalId: approvalId, tenant: stack.tenant, on: stack.store)
            let decision = #"{"decision":"approved","decidedBy":"ana@example.com","comment":"go"}"#

            let accepted = try await stack.post("/v1/approvals/\(approvalId.wireString)", decision)
            #expect(accepted.status == 202)
            let envelope = try await stack.facts.first("approval.decided") {
                $0.payload.as(ApprovalDecided.self)?.approvalId == approvalId
            }
            #expect(envelope.runId == runId)
            #expect(envelope.stepId == "post")
            #expect(envelope.tenant == stack.tenant)
            #expect(envelope.payload.as(ApprovalDecided.self)?.via == .api)

            try await stack.store.execute("UPDATE approvals SET status = 'approved' WHERE id = \(approvalId)")
            let conflict = try await stack.post("/v1/approvals/\(approvalId.wireString)", decision)
            #expect(conflict.status == 409)
            #expect(IngestStack.errorCode(conflict) == "approval_not_pending")
            #expect(try await stack.post("/v1/approvals/\(UUID().wireString)", decision).status == 404)
        }
    }

    @Test func aClosedBrokerConnectionIs503() async throws {
        try await StoreFixture.withClient { client in
            let connection = try await BusFixture.connect("ingest-closed")
            await connection.close()
            var quiet = IngestStack.logger
            quiet.logLevel = .critical  // the refusal is logged as a warning, expected here
            let api = IngestAPI(
                configuration: IngestConfiguration(publishTimeout: .seconds(5)), bus: AMQPBus(connection: connection),
                store: PostgresRunStore(client: client), logger: quiet)
            let answer = await api.submitRun(APIRequest(
                headers: ["content-type": "application/json"], body: Array(#"{"request":"query: SELECT 1"}"#.utf8)))
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.body.count > 0)
            #expect(try JSONDecoder().decode(APIErrorBody.self, from: answer.body).error.code == "broker_unavailable")
        }
    }

    /// A run waiting for approval of its second step, with one delivery.
    static func seedRun(_ runId: UUID, approvalId: UUID, tenant: String, on client: PostgresClient) async throws {
        let plan: JSONValue = ["steps": [
            ["id": "incidents", "specialist": "data", "tool": "sql.query", "input": ["sql": "SELECT 1"]],
            ["id": "post", "specialist": "comm", "tool": "slack.post", "dependsOn": ["incidents"]],
        ]]
        try await client.withTransaction { connection in
            try await connection.execute("""
                INSERT INTO runs (id, tenant, source, external_event_id, request, status, plan, cost_usd,
                                  prompt_tokens, completion_tokens, source_reference, started_at)
                VALUES (\(runId), \(tenant), 'slack', 'Ev1', 'summarise the open incidents', 'waiting_for_approval',
                        \(PostgresJSON(plan)), 0.125, 40, 60, \(PostgresJSON(["slackChannel": "C0OPS"] as JSONValue)), now())
                """)
            // Inserted out of plan order: the API orders steps as the plan lists them.
            try await connection.execute("""
                INSERT INTO steps (run_id, step_id, specialist, tool, input, depends_on, risk, status, created_at)
                VALUES (\(runId), 'post', 'comm', 'slack.post', '{"channel":"#ops"}', \(["incidents"]), 'high',
                        'awaiting_approval', now() - interval '1 minute')
                """)
            try await connection.execute("""
                INSERT INTO steps (run_id, step_id, specialist, tool, input, risk, status, attempts, output, finished_at)
                VALUES (\(runId), 'incidents', 'data', 'sql.query', '{"sql":"SELECT 1"}', 'low', 'succeeded', 1,
                        \(PostgresJSON(["rowCount": 2, "text": "id | title"] as JSONValue)), now())
                """)
            try await connection.execute("""
                INSERT INTO approvals (id, run_id, step_id, kind, approver_roles)
                VALUES (\(approvalId), \(runId), 'post', 'step', \(["approver"]))
                """)
            try await connection.execute("""
                INSERT INTO deliveries (id, idempotency_key, run_id, channel, target, payload, status, step_id, kind)
                VALUES (\(UUID()), \(UUID().wireString), \(runId), 'capture', '#ops', '{"text":"hello"}', 'captured',
                        'incidents', 'step')
                """)
        }
    }
}
