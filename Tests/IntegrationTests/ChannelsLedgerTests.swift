import AgentryChannels
import AgentryContracts
import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

/// The delivery ledger over the real database, with a local Slack/Jira stand-in and an SMTP sink.
@Suite(.enabled(if: TestStack.isEnabled, "needs the database started by scripts/test"))
struct ChannelsLedgerTests {
    private func ledger(_ store: PostgresClient, _ configuration: ChannelsConfiguration) -> DeliveryLedger {
        DeliveryLedger(store: store, channels: OutboundChannels(configuration: configuration), logger: ChannelsFixture.logger)
    }

    @Test func withoutEndpointsEverythingIsCapturedAndRecordedOnce() async throws {
        try await ChannelsFixture.withDatabase { store in
            let ledger = ledger(store, ChannelsConfiguration())
            let runId = UUID()
            let message = OutboundMessage.slack(SlackMessage(channel: "C0123", text: "3 open incidents", threadTs: "1.2"))
            let first = try await ledger.deliver(message, key: "step-key-1", context: .step(runId: runId, stepId: "post"))
            #expect(first.status == .captured)
            #expect(first.channel == .slack)
            #expect(first.target == "C0123/1.2")
            #expect(!first.isReplay)
            #expect(first.response?.contains("AGENTRY_SLACK_API_URL") == true)
            let second = try await ledger.deliver(message, key: "step-key-1", context: .step(runId: runId, stepId: "post"))
            #expect(second.isReplay)
            #expect(second.id == first.id)
            #expect(second.status == .captured)

            let note = OutboundMessage.note(CaptureNote(source: "api", subject: "Done: x", text: "Done: x\n\nall good"))
            let captured = try await ledger.deliver(note, key: "notify:run.completed:\(runId)", context: .notification(runId: runId))
            #expect(captured.channel == .capture)

            let rows = try await ChannelsFixture.deliveries(store)
            #expect(rows.count == 2)
            let row = try #require(rows.first { $0.key == "step-key-1" })
            #expect(row.status == "captured")
            #expect(row.attempts == 1)
            #expect(row.kind == "step")
            #expect(row.runId == runId)
            #expect(row.stepId == "post")
            #expect(row.channel == "slack")
            #expect(row.delivered)
            #expect(row.payload["text"] == "3 open incidents")
            #expect(row.payload["thread_ts"] == "1.2")
            let noteRow = try #require(rows.first { $0.key.hasPrefix("notify:") })
            #expect(noteRow.channel == "capture")
            #expect(noteRow.kind == "notification")
            #expect(noteRow.payload["text"] == "Done: x\n\nall good")
        }
    }

    @Test func aSlackMessageIsPostedOncePerKey() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let ledger = ledger(store, ChannelsFixture.configuration(server: port))
                let message = OutboundMessage.slack(SlackMessage(channel: "C0123", text: "hello <!here>", threadTs: "1718.1"))
                let first = try await ledger.deliver(message, key: "run-1:post", context: .step(runId: nil, stepId: "post"))
                let again = try await ledger.deliver(message, key: "run-1:post", context: .step(runId: nil, stepId: "post"))
                #expect(first.status == .delivered)
                #expect(first.response == "ts 1718000000.000001 in C0123")
                #expect(again.isReplay && again.id == first.id && again.response == first.response)

                #expect(server.slackRequests.count == 1)
                let request = try #require(server.slackRequests.first)
                #expect(request.headers["authorization"] == "Bearer xoxb-test-token")
                #expect(request.headers["idempotency-key"] == "run-1:post")
                #expect(request.headers["content-type"]?.hasPrefix("application/json") == true)
                #expect(request.json?["channel"] == "C0123")
                #expect(request.json?["text"] == "hello <!here>")
                #expect(request.json?["thread_ts"] == "1718.1")

                let row = try #require(try await ChannelsFixture.deliveries(store).first)
                #expect(row.status == "delivered")
                #expect(row.attempts == 1)
                #expect(row.delivered)
            }
        }
    }

    @Test func concurrentDeliveriesOfOneKeySendOnce() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                server.delayAnswers(by: .milliseconds(300))
                let ledger = ledger(store, ChannelsFixture.configuration(server: port))
                let message = OutboundMessage.slack(SlackMessage(channel: "C0123", text: "once"))
                let receipts = try await withThrowingTaskGroup(of: DeliveryReceipt.self) { group in
                    for _ in 0..<5 {
                        group.addTask {
                            try await ledger.deliver(message, key: "same-key", context: .notification(runId: nil))
                        }
                    }
                    var receipts: [DeliveryReceipt] = []
                    for try await receipt in group { receipts.append(receipt) }
                    return receipts
                }
                #expect(server.slackRequests.count == 1)
                #expect(Set(receipts.map(\.id)).count == 1)
                #expect(receipts.filter { !$0.isReplay }.count == 1)
                #expect(receipts.allSatisfy { $0.status == .delivered })
            }
        }
    }

    @Test func slackOkFalseIsRecordedAndClassified() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let ledger = ledger(store, ChannelsFixture.configuration(server: port))
                server.scriptSlack(
                    .slackError("channel_not_found"),
                    .slackError("ratelimited", headers: ["Retry-After": "2"]))
                let message = OutboundMessage.slack(SlackMessage(channel: "C404", text: "x"))

                let permanent = try await #require(throws: ChannelError.self) {
                    try await ledger.deliver(message, key: "k", context: .notification(runId: nil))
                }
                #expect(permanent.code == .notFound)
                #expect(!permanent.isRetryable)
                var row = try #require(try await ChannelsFixture.deliveries(store).first)
                #expect(row.status == "failed")
                #expect(row.response?.contains("channel_not_found") == true)
                #expect(!row.delivered)

                let transient = try await #require(throws: ChannelError.self) {
                    try await ledger.deliver(message, key: "k", context: .notification(runId: nil))
                }
                #expect(transient.code == .rateLimited)
                #expect(transient.isRetryable)
                #expect(transient.retryAfter == .seconds(2))

                // A failed key is not final: the next attempt sends, and then the key is done.
                let receipt = try await ledger.deliver(message, key: "k", context: .notification(runId: nil))
                #expect(receipt.status == .delivered && !receipt.isReplay)
                _ = try await ledger.deliver(message, key: "k", context: .notification(runId: nil))
                #expect(server.slackRequests.count == 3)
                row = try #require(try await ChannelsFixture.deliveries(store).first)
                #expect(row.status == "delivered")
                #expect(row.attempts == 3)
            }
        }
    }

    @Test func anUnreachableEndpointIsARetryableFailure() async throws {
        let (port, fd) = try LocalSockets.closedPort()
        defer { close(fd) }
        try await ChannelsFixture.withDatabase { store in
            let ledger = ledger(store, ChannelsFixture.configuration(server: port))
            let error = try await #require(throws: ChannelError.self) {
                try await ledger.deliver(.jira(JiraComment(issue: "OPS-1", body: "x")), key: "k",
                                         context: .notification(runId: nil))
            }
            #expect(error.code == .unavailable)
            #expect(error.isRetryable)
            #expect(!error.description.contains("jira-token"))
            #expect(try await ChannelsFixture.deliveries(store).first?.status == "failed")
        }
    }

    @Test func aJiraCommentIsPostedWithBasicAuthentication() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let ledger = ledger(store, ChannelsFixture.configuration(server: port))
                let receipt = try await ledger.deliver(
                    .jira(JiraComment(issue: "OPS-7", body: "*Done*", site: "http://127.0.0.1:\(port)/")), key: "jira-1",
                    context: .notification(runId: nil))
                #expect(receipt.status == .delivered)
                #expect(receipt.response == "comment 10001 on OPS-7")
                let request = try #require(server.jiraRequests.first)
                #expect(request.path == "/rest/api/2/issue/OPS-7/comment")
                let credentials = Data("bot@example.com:jira-token".utf8).base64EncodedString()
                #expect(request.headers["authorization"] == "Basic \(credentials)")
                #expect(request.headers["idempotency-key"] == "jira-1")
                #expect(request.json == ["body": "*Done*"])

                // An issue on another site is never a target: it is captured, and nothing is sent.
                let foreign = try await ledger.deliver(
                    .jira(JiraComment(issue: "OPS-8", body: "x", site: "https://attacker.example.com")), key: "jira-2",
                    context: .notification(runId: nil))
                #expect(foreign.status == .captured)
                #expect(server.jiraRequests.count == 1)

                server.scriptJira(.init(status: 404, body: #"{"errorMessages":["Issue does not exist"]}"#))
                let missing = try await #require(throws: ChannelError.self) {
                    try await ledger.deliver(.jira(JiraComment(issue: "OPS-9", body: "x")), key: "jira-3",
                                             context: .notification(runId: nil))
                }
                #expect(missing.code == .notFound)
                #expect(missing.message.contains("Issue does not exist"))
            }
        }
    }

    @Test func anEmailIsSentOnceWithAStableMessageID() async throws {
        let sink = try await SMTPSink.start()
        do {
            try await ChannelsFixture.withDatabase { store in
                let ledger = ledger(store, ChannelsFixture.configuration(server: nil, smtpPort: sink.port))
                let message = OutboundMessage.email(EmailMessage(
                    to: ["ana@example.com"], subject: "Re: weekly report", body: "Sent.\nSee you.",
                    inReplyTo: "<CAF1@mail.example.com>", references: ["<CAF1@mail.example.com>"]))
                let receipt = try await ledger.deliver(message, key: "mail-1", context: .notification(runId: nil))
                let again = try await ledger.deliver(message, key: "mail-1", context: .notification(runId: nil))
                #expect(again.isReplay)
                let expectedID = "<agentry.\(receipt.id.uuidString.lowercased())@example.com>"
                #expect(receipt.response == "Message-ID \(expectedID)")
                let deliveries = try sink.deliveries()
                #expect(deliveries.count == 1)
                let mail = try #require(deliveries.first)
                #expect(mail.mailFrom == "agentry@example.com")
                #expect(mail.rcptTos == ["ana@example.com"])
                #expect(mail.headers["Subject"] == "Re: weekly report")
                #expect(mail.headers["Message-ID"] == expectedID)
                #expect(mail.headers["In-Reply-To"] == "<CAF1@mail.example.com>")
                #expect(mail.headers["References"] == "<CAF1@mail.example.com>")
                #expect(mail.text == "Sent.\r\nSee you.\r\n" || mail.text == "Sent.\r\nSee you.")
            }
        } catch {
            try await sink.stop()
            throw error
        }
        try await sink.stop()
    }
}
