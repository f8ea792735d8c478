import AgentryContracts
import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

@testable import AgentryIngest

/// Inbound email through the gateway's HTTP server against the real broker and database: a reply
/// finds its thread from the deliveries and runs the director wrote.
@Suite(.enabled(if: TestStack.isEnabled, "needs the test stack (scripts/test)"))
struct IngestEmailIntegrationTests {
    static let token = "integration-email-token-5b7e"

    static func email(messageId: String, inReplyTo: String? = nil, references: String? = nil) -> String {
        var lines = ["From: Ana <ana@example.com>", "To: agentry@inbound.example.com", "Subject: Re: incidents",
                     "Message-ID: \(messageId)"]
        if let inReplyTo { lines.append("In-Reply-To: \(inReplyTo)") }
        if let references { lines.append("References: \(references)") }
        lines += ["Content-Type: text/plain; charset=utf-8", "", "Post them to #ops as well.", "", "> earlier text"]
        return lines.joined(separator: "\r\n")
    }

    func post(_ stack: IngestStack, _ body: String) async throws -> EmailAcknowledgement {
        let response = try await stack.post(
            "/v1/webhooks/email?token=\(Self.token)", body, headers: ["Content-Type": "message/rfc822"])
        #expect(response.status == 200)
        return try JSONDecoder().decode(EmailAcknowledgement.self, from: response.body)
    }

    @Test func aReplyContinuesTheThreadOfTheRunWhoseEmailItAnswers() async throws {
        try await IngestStack.with(email: EmailSettings(token: Self.token)) { stack in
            let first = UUID()
            let second = UUID()
            let delivery = UUID()
            // The first run came from an email; the notifier answered it; a reply started the second.
            try await stack.store.execute("""
                INSERT INTO runs (id, tenant, source, external_event_id, request, status, created_at)
                VALUES (\(first), 'default', 'email', '<orig.1@mail.example.com>', 'summarise incidents', 'completed',
                        now() - interval '1 hour')
                """)
            try await stack.store.execute("""
                INSERT INTO runs (id, tenant, source, external_event_id, request, status, thread_run_id)
                VALUES (\(second), 'default', 'email', '<reply.2@mail.example.com>', 'and post them', 'completed', \(first))
                """)
            try await stack.store.execute("""
                INSERT INTO deliveries (id, idempotency_key, run_id, channel, target, status)
                VALUES (\(delivery), \(UUID().wireString), \(second), 'email', 'ana@example.com', 'delivered')
                """)
            let notification = AgentryMessageID.make(deliveryId: delivery, domain: "agentry.example.com")

            // Answering the second run's notification: the thread is the first run's.
            let direct = try await post(stack, Self.email(
                messageId: "<reply.3@mail.example.com>", inReplyTo: notification,
                references: "<orig.1@mail.example.com> <reply.2@mail.example.com> \(notification)"))
            #expect(direct.threadRunId == first.wireString)
            let runId = try #require(direct.runId)
            let published = try await stack.facts.first("the reply's run.requested") { $0.runId?.wireString == runId }
            let request = try #require(published.payload.as(RunRequested.self))
            #expect(request.threadRunId == first)
            #expect(request.request == "Post them to #ops as well.")

            // Only the original email in References (a client that dropped In-Reply-To): the same thread.
            let viaOriginal = try await post(stack, Self.email(
                messageId: "<reply.4@mail.example.com>", references: "<orig.1@mail.example.com>"))
            #expect(viaOriginal.threadRunId == first.wireString)

            // An answer to an email nobody here sent, or to another tenant's run: a new thread.
            let stranger = try await post(stack, Self.email(
                messageId: "<reply.5@mail.example.com>", inReplyTo: "<someone.else@mail.example.com>"))
            #expect(stranger.threadRunId == nil)
            #expect(stranger.runId != nil)
            try await stack.store.execute("UPDATE runs SET tenant = 'other' WHERE id IN (\(first), \(second))")
            let otherTenant = try await post(stack, Self.email(messageId: "<reply.6@mail.example.com>", inReplyTo: notification))
            #expect(otherTenant.threadRunId == nil)
            try await stack.store.execute("UPDATE runs SET tenant = 'default' WHERE id IN (\(first), \(second))")

            // The conversation is listed by its first run.
            let thread = try await stack.get("/v1/runs?thread=\(first.wireString)")
            #expect(thread.status == 200)
            let listed = try IngestIntegrationTests.decoder().decode(RunList.self, from: thread.body).runs
            #expect(listed.map(\.id) == [second.wireString, first.wireString])
            #expect(listed.first?.threadRunId == first.wireString)
            let detail = try IngestIntegrationTests.decoder().decode(
                RunDetail.self, from: try await stack.get("/v1/runs/\(second.wireString)").body)
            #expect(detail.threadRunId == first.wireString)
            #expect(try await stack.get("/v1/runs?thread=nope").status == 400)
        }
    }

    @Test func aSlackMentionInARunsThreadFindsThatRun() async throws {
        try await IngestStack.with { stack in
            let first = UUID()
            let second = UUID()
            try await stack.store.execute("""
                INSERT INTO runs (id, tenant, source, request, status, source_reference, created_at)
                VALUES (\(first), 'default', 'slack', 'summarise incidents', 'completed',
                        '{"slackChannel": "C0OPS", "slackThreadTs": "1718000000.000100"}', now() - interval '1 minute')
                """)
            try await stack.store.execute("""
                INSERT INTO runs (id, tenant, source, request, status, source_reference, thread_run_id)
                VALUES (\(second), 'default', 'slack', 'and post them', 'completed',
                        '{"slackChannel": "C0OPS", "slackThreadTs": "1718000000.000100"}', \(first))
                """)
            let store = PostgresRunStore(client: stack.store)
            #expect(try await store.slackThread(tenant: "default", channel: "C0OPS", threadTs: "1718000000.000100") == first)
            #expect(try await store.slackThread(tenant: "default", channel: "C0DEV", threadTs: "1718000000.000100") == nil)
            #expect(try await store.slackThread(tenant: "other", channel: "C0OPS", threadTs: "1718000000.000100") == nil)

            let event = IngestStack.slackMention(eventId: "Ev0THREADED", text: "<@U0BOT> post them to #eng")
                .replacingOccurrences(of: #""channel":"#, with: #""thread_ts":"1718000000.000100","channel":"#)
            let response = try await stack.postSlack(event)
            #expect(response.status == 200)
            let runId = try #require(try JSONDecoder().decode(SlackAcknowledgement.self, from: response.body).runId)
            let published = try await stack.facts.first("the threaded mention") { $0.runId?.wireString == runId }
            #expect(published.payload.as(RunRequested.self)?.threadRunId == first)
        }
    }

    @Test func anEmailOverItsLimitIs413AndAWrongTokenIs401() async throws {
        try await IngestStack.with(email: EmailSettings(token: Self.token, maxBytes: 2_048)) { stack in
            let big = Self.email(messageId: "<big@mail.example.com>") + String(repeating: "x", count: 4_096)
            let tooLarge = try await stack.post(
                "/v1/webhooks/email?token=\(Self.token)", big, headers: ["Content-Type": "message/rfc822"])
            #expect(tooLarge.status == 413)
            #expect(IngestStack.errorCode(tooLarge) == "body_too_large")
            let wrong = try await stack.post(
                "/v1/webhooks/email?token=wrong-token-000000", Self.email(messageId: "<w@mail.example.com>"),
                headers: ["Content-Type": "message/rfc822"])
            #expect(wrong.status == 401)
            #expect(IngestStack.errorCode(wrong) == "invalid_token")
        }
    }
}
