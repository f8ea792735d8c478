import AgentryBus
import AgentryChannels
import AgentryContracts
@testable import AgentryNotifier
import AgentryRuntime
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

/// The notifier against the real database (runs as the director commits them), a local Slack/Jira
/// stand-in and an SMTP sink; and once through the real broker on a queue of its own.
@Suite(.enabled(if: TestStack.isEnabled, "needs the broker and database started by scripts/test"))
struct NotifierIntegrationTests {
    private func notifier(_ store: PostgresClient, _ configuration: ChannelsConfiguration) -> Notifier {
        Notifier(
            runs: PostgresNotifierRunStore(store: store, logger: ChannelsFixture.logger),
            deliverer: DeliveryLedger(
                store: store, channels: OutboundChannels(configuration: configuration), logger: ChannelsFixture.logger),
            logger: ChannelsFixture.logger)
    }

    private static let slackReference = SourceReference(
        slackTeam: "T1", slackChannel: "C0123", slackThreadTs: "1718000000.000100", slackUser: "U1")

    @Test func aSlackRunIsAnsweredInItsThreadOncePerFact() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let notifier = notifier(store, ChannelsFixture.configuration(server: port))
                let runId = try await ChannelsFixture.insertRun(store, source: .slack, reference: Self.slackReference)
                try await store.execute("""
                    INSERT INTO steps (run_id, step_id, specialist, tool, input, risk, status, description)
                    VALUES (\(runId), 'cleanup', 'code', 'shell.run', '{"script":"rm -rf /tmp/old"}'::jsonb, 'high',
                            'awaiting_approval', 'Remove old files')
                    """)
                let approvalId = UUID()
                let approval = Envelope(tenant: "acme", runId: runId, stepId: "cleanup", payload: .approvalRequested(
                    ApprovalRequested(approvalId: approvalId, kind: .step, stepId: "cleanup",
                                      summary: "run a script that removes old files", risk: .high,
                                      approverRoles: ["approver"])))
                let completed = Envelope(tenant: "acme", runId: runId, payload: .runCompleted(RunCompleted(
                    status: .completed, summary: "removed 12 old files", outputs: ["cleanup": ["stdout": "12 removed\n"]])))

                _ = try await notifier.handle(approval, deliveryCount: 0)
                _ = try await notifier.handle(approval, deliveryCount: 1)  // a redelivery
                var duplicate = approval
                duplicate.id = UUID()  // a duplicate publish of the same fact
                let replay = try await notifier.handle(duplicate, deliveryCount: 0)
                #expect(replay.isReplay)
                _ = try await notifier.handle(completed, deliveryCount: 0)

                let posts = server.slackRequests.compactMap(\.json)
                #expect(posts.count == 2)
                let ask = try #require(posts.first)
                #expect(ask["channel"] == "C0123")
                #expect(ask["thread_ts"] == "1718000000.000100")
                #expect(ask["text"]?.stringValue?.contains("shell.run") == true)
                #expect(ask["text"]?.stringValue?.contains("rm -rf /tmp/old") == true)
                #expect(ask["text"]?.stringValue?.contains("agentry approve \(approvalId.uuidString.lowercased())") == true)
                let buttons = ask["blocks"]?.arrayValue?.first { $0["type"] == "actions" }?["elements"]?.arrayValue ?? []
                #expect(buttons.map { $0["action_id"] } == ["agentry_approve", "agentry_reject"])
                #expect(buttons.allSatisfy { $0["value"] == .string(approvalId.uuidString.lowercased()) })
                let done = try #require(posts.last)
                #expect(done["thread_ts"] == "1718000000.000100")
                #expect(done["blocks"] == nil)
                #expect(done["text"]?.stringValue?.contains("removed 12 old files") == true)
                #expect(done["text"]?.stringValue?.contains("12 removed") == true)

                let rows = try await ChannelsFixture.deliveries(store)
                #expect(rows.count == 2)
                #expect(rows.allSatisfy { $0.kind == "notification" && $0.runId == runId && $0.status == "delivered" })
                #expect(Set(rows.map(\.key)) == [
                    "notify:approval.requested:\(runId.uuidString.lowercased()):\(approvalId.uuidString.lowercased())",
                    "notify:run.completed:\(runId.uuidString.lowercased())",
                ])
                #expect(rows.first { $0.key.hasPrefix("notify:approval") }?.stepId == "cleanup")
            }
        }
    }

    @Test func anEmailRunGetsAThreadedReply() async throws {
        let sink = try await SMTPSink.start()
        do {
            try await ChannelsFixture.withDatabase { store in
                let notifier = notifier(store, ChannelsFixture.configuration(server: nil, smtpPort: sink.port))
                let runId = try await ChannelsFixture.insertRun(store, source: .email, reference: SourceReference(
                    emailMessageId: "<CAF1@mail.example.com>", emailFrom: "ana@example.com",
                    emailSubject: "Weekly report"), request: "email the weekly report to the team", status: "failed")
                try await store.execute("""
                    INSERT INTO steps (run_id, step_id, specialist, tool, status, error, description)
                    VALUES (\(runId), 'fetch', 'data', 'sql.query', 'failed', 'relation "reports" does not exist',
                            'Read the report')
                    """)
                let failed = Envelope(tenant: "acme", runId: runId, payload: .runFailed(RunFailed(
                    reason: "step fetch failed after 3 attempts", failedStepId: "fetch", code: "step_failed")))
                _ = try await notifier.handle(failed, deliveryCount: 0)
                _ = try await notifier.handle(failed, deliveryCount: 1)
                let mails = try sink.deliveries()
                #expect(mails.count == 1)
                let mail = try #require(mails.first)
                #expect(mail.rcptTos == ["ana@example.com"])
                #expect(mail.headers["Subject"] == "Re: Weekly report")
                #expect(mail.headers["In-Reply-To"] == "<CAF1@mail.example.com>")
                #expect(mail.text?.contains("Failed step: fetch (sql.query): Read the report") == true)
                #expect(mail.text?.contains("relation \"reports\" does not exist") == true)
            }
        } catch {
            try await sink.stop()
            throw error
        }
        try await sink.stop()
    }

    @Test func apiAndUntrustedJiraRunsAreCaptured() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let notifier = notifier(store, ChannelsFixture.configuration(server: port))
                let apiRun = try await ChannelsFixture.insertRun(store, source: .api, reference: nil)
                let jiraRun = try await ChannelsFixture.insertRun(store, source: .jira, reference: SourceReference(
                    jiraIssueKey: "OPS-1", jiraBaseURL: "https://elsewhere.example.com"))
                let trustedJiraRun = try await ChannelsFixture.insertRun(store, source: .jira, reference: SourceReference(
                    jiraIssueKey: "OPS-2", jiraBaseURL: "http://127.0.0.1:\(port)"))
                for runId in [apiRun, jiraRun, trustedJiraRun] {
                    _ = try await notifier.handle(Envelope(tenant: "acme", runId: runId, payload: .runCompleted(
                        RunCompleted(status: .completed, summary: "done"))), deliveryCount: 0)
                }
                let rows = try await ChannelsFixture.deliveries(store)
                #expect(rows.first { $0.runId == apiRun }?.status == "captured")
                #expect(rows.first { $0.runId == apiRun }?.channel == "capture")
                #expect(rows.first { $0.runId == jiraRun }?.status == "captured")
                #expect(rows.first { $0.runId == jiraRun }?.channel == "jira")
                #expect(rows.first { $0.runId == trustedJiraRun }?.status == "delivered")
                #expect(server.jiraRequests.map(\.path) == ["/rest/api/2/issue/OPS-2/comment"])
                #expect(server.slackRequests.isEmpty)
            }
        }
    }

    @Test func throughTheBrokerDuplicatesNotifyOnceAndAMissingRunIsDeadLettered() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let connection = try await BusFixture.connect("notifier-tests")
                let queue = BusFixture.unique("notifier")
                let deadExchange = BusFixture.unique("notifier-dead")
                let deadQueue = BusFixture.unique("notifier-dead")
                try await connection.declare(AMQPTopology(
                    exchanges: [.init(deadExchange, kind: .fanout, durable: false)],
                    queues: [.quorum(queue, deliveryLimit: 10, deadLetterExchange: deadExchange), .init(deadQueue)],
                    bindings: [.init(queue: deadQueue, exchange: deadExchange, routingKey: "")]))
                let bus = AMQPBus(connection: connection)
                let consumer = notifier(store, ChannelsFixture.configuration(server: port))
                    .service(bus: bus, prefetch: 4, queue: queue)
                let consuming = Task { try await consumer.run() }

                let runId = try await ChannelsFixture.insertRun(store, source: .slack, reference: Self.slackReference)
                let completed = Envelope(tenant: "acme", runId: runId, payload: .runCompleted(
                    RunCompleted(status: .completed, summary: "posted")))
                var duplicate = completed
                duplicate.id = UUID()
                let orphan = Envelope(tenant: "acme", runId: UUID(), payload: .runFailed(RunFailed(reason: "x")))
                for envelope in [completed, completed, duplicate, orphan] {
                    try await bus.publish(envelope, to: .queue(queue))
                }
                let deadLetters = DeliveryLog()
                let watching = try await connection.consume(queue: deadQueue, prefetch: 10).collect(into: deadLetters) {
                    $0.ack()
                }
                try await eventually("the orphan is dead-lettered", timeout: .seconds(60)) { await deadLetters.count == 1 }
                try await eventually("every other envelope is handled and acked") {
                    let ready = try await connection.queueStatus(queue).messages
                    let delivered = try await ChannelsFixture.deliveries(store).filter { $0.status == "delivered" }
                    return ready == 0 && delivered.count == 1
                }
                let letter = try #require(await deadLetters.deliveries.first)
                #expect(try EnvelopeCodec().decode(letter.body).id == orphan.id)
                #expect(server.slackRequests.count == 1)
                #expect(server.slackRequests.first?.json?["thread_ts"] == "1718000000.000100")

                consuming.cancel()
                _ = try? await consuming.value
                watching.cancel()
                try await connection.delete(queue: queue)
                try await connection.delete(queue: deadQueue)
                try await connection.delete(exchange: deadExchange)
                await connection.close()
            }
        }
    }
}
