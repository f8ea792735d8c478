import AgentryAudit
import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

/// The whole system, every service a separate process, over the real broker and database.
@Suite(.enabled(if: TestStack.isEnabled, "needs the test stack (scripts/test)"), .serialized)
struct EndToEndTests {
    @Test func aSignedSlackEventBecomesACompletedAuditedAndNotifiedRun() async throws {
        let system = try await AgentrySystem.start()
        do {
            let started = ContinuousClock.now
            let response = try await system.postSlackEvent(
                eventId: "Ev0E2E1", text: "summarise the open incidents and post them to #ops")
            #expect(response.status == 200)
            let runId = try await system.onlyRun()
            try await system.waitForRun(runId, ["completed", "failed", "rejected", "cancelled"])
            let elapsed = started.duration(to: .now)
            print("e2e: Slack event → completed run in \(elapsed)")
            #expect(try await system.runStatus(runId) == "completed")
            let steps = try await system.steps(of: runId)
            #expect(steps.count >= 2)
            #expect(steps.allSatisfy { $0.status == "succeeded" })

            // The comm step posted the open incidents to #ops; the notifier answered in the thread.
            try await system.eventually("the notification") {
                system.slack.messages.contains { $0.channel == "C0OPS" && $0.threadTs == "1700000000.000100" }
            }
            let posted = system.slack.messages.filter { $0.channel == "#ops" }
            #expect(posted.count == 1)
            #expect(posted.first?.text.contains("Checkout latency above 2 s") == true)
            #expect(posted.first?.text.contains("Disk 80% on db-2") == false)
            #expect(posted.allSatisfy { $0.authorization == "Bearer xoxb-e2e-token" && $0.idempotencyKey != nil })

            // Every envelope of the run is in the audit log, and the chain verifies.
            let expected: Set<String> = [
                "run.requested", "model.request", "model.reply", "run.planned", "work.item", "step.completed", "run.completed",
            ]
            try await system.eventually("the audit log to cover the run") {
                let unaudited = try await system.unauditedEnvelopes(of: runId)
                let actions = Set(try await system.auditActions(of: runId))
                return unaudited.isEmpty && actions.isSuperset(of: expected)
            }
            let report = try await AuditVerifier(client: system.store).verify()
            #expect(report.isIntact, "\(report.summary)")
            #expect(report.entries >= expected.count)
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }

    @Test func aPlanFromAModelProviderRunsAfterFailOverAndIsAccounted() async throws {
        let fake = try await FakeModelProvider.start()
        defer { Task { await fake.stop() } }
        let plan = #"{"steps": [{"id": "count", "specialist": "data", "tool": "sql.query", "#
            + #""input": {"sql": "SELECT count(*) AS open_incidents FROM incidents WHERE status = 'open'"}}]}"#
        fake.setDefault("planner-down", .status(503, message: "overloaded"))
        fake.setDefault("planner-up", .reply(content: plan, promptTokens: 900, completionTokens: 60))
        let secret = "sk-e2e-provider-secret-7c1d"
        fake.requireKey(secret)
        let routing = """
            {"providers": [{"name": "fake", "kind": "openai", "baseURL": "\(fake.openAIBaseURL)", "apiKeyEnv": "E2E_PROVIDER_KEY"}],
             "aliases": {"planner": [
                {"provider": "fake", "model": "planner-down", "contextWindow": 100000, "inputPerMillion": 1, "outputPerMillion": 2},
                {"provider": "fake", "model": "planner-up", "contextWindow": 100000, "inputPerMillion": 1, "outputPerMillion": 2}]}}
            """
        let system = try await AgentrySystem.start(environment: [
            "model-gateway": ["AGENTRY_MODEL_CONFIG": routing, "E2E_PROVIDER_KEY": secret],
        ])
        do {
            let runId = try await system.submit("how many incidents are open?")
            #expect(try await system.waitForRun(runId, ["completed", "failed", "rejected", "cancelled"]) == "completed")
            #expect(try await system.steps(of: runId).map(\.tool) == ["sql.query"])
            #expect(fake.requestCount("planner-down") == 1)
            #expect(fake.requestCount("planner-up") == 1)

            // Usage and cost: 900 prompt tokens at $1/M and 60 completion tokens at $2/M.
            let usage = try await system.store.query("""
                SELECT provider, model, prompt_tokens, completion_tokens, cost_usd::float8 AS cost FROM model_usage
                WHERE run_id = \(runId)
                """)
            #expect(usage.count == 1)
            #expect(try usage.first?.decode(String.self, column: "model") == "planner-up")
            #expect(try usage.first?.decode(Int.self, column: "prompt_tokens") == 900)
            #expect(abs((try usage.first?.decode(Double.self, column: "cost") ?? 0) - 0.00102) < 1e-9)
            let runCost = try await system.store.query("SELECT cost_usd::float8 AS cost FROM runs WHERE id = \(runId)")
            #expect(abs((try runCost.first?.decode(Double.self, column: "cost") ?? 0) - 0.00102) < 1e-9)

            // The gateway exports its breakers and attempts; the key is in no log line.
            let gateway = try #require(system.processes["model-gateway"])
            let port = gateway.environment["AGENTRY_HTTP_PORT"] ?? ""
            let metrics = try await system.http.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics")).bodyText
            #expect(metrics.contains(#"agentry_model_breaker_state{entry="fake/planner-down"}"#))
            #expect(metrics.contains(#"agentry_model_attempts_total{entry="fake/planner-down",outcome="http_503"} 1"#))
            let log = (try? String(contentsOfFile: gateway.logFile, encoding: .utf8)) ?? ""
            #expect(log.contains("model call failed"))
            #expect(!log.contains(secret))
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }

    @Test func theSameEventTwiceIsOneRunAndABadSignatureIsNone() async throws {
        let system = try await AgentrySystem.start()
        do {
            let forged = try await system.postSlackEvent(eventId: "Ev0FORGED", text: "post hello to #ops", signature: "v0=00ff")
            #expect(forged.status == 401)
            let first = try await system.postSlackEvent(eventId: "Ev0TWICE", text: "post hello to #ops")
            let second = try await system.postSlackEvent(eventId: "Ev0TWICE", text: "post hello to #ops")
            #expect(first.status == 200)
            #expect(second.status == 200)
            let runId = try await system.onlyRun()
            try await system.waitForRun(runId, ["completed"])
            // Both deliveries of the event have been through the director by now: still one run.
            try await system.eventually("the director to have handled both deliveries of the event") {
                try await system.count("""
                    SELECT count(*)::int8 FROM audit_log a
                    JOIN processed_messages p ON p.envelope_id = a.envelope_id AND p.consumer = 'director'
                    WHERE a.action = 'run.requested'
                    """) == 2
            }
            #expect(try await system.runIds() == [runId])
            try await system.eventually("the notification") {
                system.slack.messages.contains { $0.threadTs == "1700000000.000100" }
            }
            #expect(system.slack.messages.filter { $0.channel == "#ops" }.count == 1)
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }

    @Test func aRiskyStepWaitsForApprovalAndARejectedOneEndsTheRun() async throws {
        let system = try await AgentrySystem.start()
        do {
            let approvedRun = try await system.submit("run this script: echo approved-output")
            let approval = try await system.pendingApproval(of: approvedRun)
            try await system.waitForRun(approvedRun, ["waiting_for_approval"])
            #expect(try await system.steps(of: approvedRun).map(\.status) == ["awaiting_approval"])
            try await system.decide(approval, "approved")
            try await system.waitForRun(approvedRun, ["completed", "failed"])
            #expect(try await system.runStatus(approvedRun) == "completed")
            let output = try await system.store.query(
                "SELECT output->>'stdout' AS stdout FROM steps WHERE run_id = \(approvedRun)"
            ).first?.decode(String?.self, column: "stdout")
            #expect(output?.contains("approved-output") == true)

            let rejectedRun = try await system.submit("run this script: echo never")
            let second = try await system.pendingApproval(of: rejectedRun)
            try await system.decide(second, "rejected", by: "bob")
            try await system.waitForRun(rejectedRun, ["rejected", "completed", "failed"])
            #expect(try await system.runStatus(rejectedRun) == "rejected")
            #expect(try await system.steps(of: rejectedRun).map(\.status) == ["rejected"])
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }

    @Test func aSlackButtonApprovesAndTheEventStreamFollowsTheRunToItsEnd() async throws {
        let system = try await AgentrySystem.start()
        do {
            let response = try await system.postSlackEvent(eventId: "Ev0E2EBUTTON", text: "run this script: echo from-slack")
            #expect(response.status == 200)
            let runId = try await system.onlyRun()
            let approval = try await system.pendingApproval(of: runId)
            // The notifier put the buttons in the thread.
            try await system.eventually("the approval buttons") {
                system.slack.messages.contains { $0.threadTs == "1700000000.000100" && $0.hasBlocks }
            }
            // Follow the run live while the button is pressed.
            let stream = try await system.http.stream(HTTPRequest(url: "\(system.apiURL)/v1/runs/\(runId.wireString)/events"))
            #expect(stream.status == 200)
            let pressed = try await system.pressSlackButton("agentry_approve", approval: approval)
            #expect(pressed.status == 200)
            var actions: [String] = []
            for try await event in stream.body.serverSentEvents() { actions.append(event.event) }
            #expect(actions.last == "end")
            #expect(actions.contains("approval.decided"))
            #expect(actions.contains("run.completed"))
            #expect(try await system.runStatus(runId) == "completed")
            let decidedBy = try await system.store.query("SELECT decided_by FROM approvals WHERE id = \(approval)")
                .first?.decode(String?.self, column: "decided_by")
            #expect(decidedBy == "slack:U0ALICE")
            // The button again: already decided, nothing changes.
            let again = try await system.pressSlackButton("agentry_reject", approval: approval)
            #expect(again.status == 200)
            #expect(String(decoding: again.body, as: UTF8.self).contains(#""ok":false"#))
            #expect(try await system.runStatus(runId) == "completed")
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }

    @Test func aWorkerKilledMidStepLosesNothingAndRepeatsNoEffect() async throws {
        let system = try await AgentrySystem.start()
        do {
            let marker = "\(system.workDirectory)/started"
            let effects = "\(system.workDirectory)/effects"
            // The step holds between its start and its effect until the test opens the gate, after the kill.
            let gate = "\(system.workDirectory)/gate"
            let runId = try await system.submit(
                "run this script: echo x >> \(marker); while [ ! -e \(gate) ]; do sleep 0.05; done; echo effect >> \(effects)")
            try await system.decide(try await system.pendingApproval(of: runId), "approved")
            try await system.eventually("the slow step to start") { FileManager.default.fileExists(atPath: marker) }
            await system.processes["code-worker"]?.crash()
            try await system.restart("code-worker")
            #expect(FileManager.default.createFile(atPath: gate, contents: nil))
            try await system.waitForRun(runId, ["completed", "failed"], timeout: .seconds(90))
            #expect(try await system.runStatus(runId) == "completed")
            let lines = (try? String(contentsOfFile: effects, encoding: .utf8))?.split(separator: "\n") ?? []
            #expect(lines == ["effect"])
            // The step ran twice (once killed, once to the end) but was dispatched once.
            let starts = (try? String(contentsOfFile: marker, encoding: .utf8))?.split(separator: "\n").count ?? 0
            #expect(starts == 2)
            #expect(try await system.steps(of: runId).map(\.attempts) == [1])
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }
}

extension AgentrySystem {
    /// Waits for the first run to appear and returns it.
    func onlyRun() async throws -> UUID {
        var found: UUID?
        try await eventually("a run") {
            found = try await runIds().first
            return found != nil
        }
        return found!
    }

    func count(_ sql: String) async throws -> Int {
        try await store.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int.self, at: 0) ?? 0
    }

    /// Envelopes of the run that the director wrote to the outbox but the audit log does not have.
    func unauditedEnvelopes(of runId: UUID) async throws -> [UUID] {
        try await store.query("""
            SELECT o.envelope_id FROM outbox o
            WHERE o.envelope->>'runId' = \(runId.uuidString.lowercased())
              AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.envelope_id = o.envelope_id)
            """).map { try $0.decode(UUID.self, column: "envelope_id") }
    }

    func auditActions(of runId: UUID) async throws -> [String] {
        try await store.query("SELECT action FROM audit_log WHERE run_id = \(runId) ORDER BY seq")
            .map { try $0.decode(String.self, column: "action") }
    }
}
