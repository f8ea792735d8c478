import AgentryContracts
import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

/// Email end to end: a raw email starts a run, the notifier answers the sender over SMTP, and the
/// sender's reply to that answer continues the first run's thread.
@Suite(.enabled(if: TestStack.isEnabled, "needs the test stack (scripts/test)"), .serialized)
struct EmailThreadTests {
    static let token = "e2e-inbound-email-token-41d9"
    static let sender = "Agentry <agentry@agentry.example.com>"

    @Test func aReplyToARunsEmailContinuesItsThread() async throws {
        let sink = try await SMTPSink.start()
        let smtp = [
            "AGENTRY_SMTP_URL": "smtp://127.0.0.1:\(sink.port)", "AGENTRY_SMTP_STARTTLS": "disabled",
            "AGENTRY_SMTP_FROM": Self.sender,
        ]
        let system = try await AgentrySystem.start(environment: [
            "ingest": ["AGENTRY_EMAIL_TOKEN": Self.token, "AGENTRY_SMTP_FROM": Self.sender],
            "notifier": smtp, "comm-worker": smtp,
        ])
        do {
            let first = try await system.postEmail("""
                From: Ana Lopez <ana@example.com>\r
                To: agentry@inbound.example.com\r
                Subject: summarise the open incidents\r
                Message-ID: <e2e.1@mail.example.com>\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                \r
                """)
            #expect(first.threadRunId == nil)
            let firstRun = try #require(first.runId.flatMap(UUID.init(uuidString:)))
            try await system.waitForRun(firstRun, ["completed"])
            var answer: SMTPSink.Delivery?
            try await system.eventually("the notifier's email to the sender") {
                answer = try sink.deliveries().first { $0.rcptTos == ["ana@example.com"] }
                return answer != nil
            }
            let notification = try #require(answer?.headers["Message-ID"])
            #expect(notification.hasPrefix("<agentry.") && notification.hasSuffix("@agentry.example.com>"))
            #expect(answer?.headers["In-Reply-To"] == "<e2e.1@mail.example.com>")
            #expect(answer?.headers["Subject"] == "Re: summarise the open incidents")

            // Ana answers the notification from her mail client, quoting it.
            let second = try await system.postEmail("""
                From: Ana Lopez <ana@example.com>\r
                To: agentry@agentry.example.com\r
                Subject: Re: summarise the open incidents\r
                Message-ID: <e2e.2@mail.example.com>\r
                In-Reply-To: \(notification)\r
                References: <e2e.1@mail.example.com> \(notification)\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                summarise the open incidents, please=\r
                \r
                \r
                On Mon, 10 Jun 2024 at 09:01, Agentry <agentry@agentry.example.com> wrote:\r
                > Done: 2 open incidents\r
                """)
            #expect(second.threadRunId == firstRun.wireString)
            let secondRun = try #require(second.runId.flatMap(UUID.init(uuidString:)))
            try await system.waitForRun(secondRun, ["completed"])
            #expect(try await system.threadRunId(of: secondRun) == firstRun)
            #expect(try await system.request(of: secondRun) == "summarise the open incidents, please")

            // The answer to the reply stays in the same mail thread.
            var reply: SMTPSink.Delivery?
            try await system.eventually("the notifier's answer to the reply") {
                reply = try sink.deliveries().first { $0.headers["In-Reply-To"] == "<e2e.2@mail.example.com>" }
                return reply != nil
            }
            let references = reply?.headers["References"]?.split(whereSeparator: \.isWhitespace).map(String.init)
            #expect(references == ["<e2e.1@mail.example.com>", notification, "<e2e.2@mail.example.com>"])
            #expect(reply?.headers["Subject"] == "Re: summarise the open incidents")

            // The notifier's own mail coming back (a forwarding loop) starts nothing.
            let loop = try await system.postEmail("""
                From: \(Self.sender)\r
                Subject: Re: summarise the open incidents\r
                Message-ID: <loop@agentry.example.com>\r
                \r
                Done.\r
                """)
            #expect(loop.ignored == "own_message")
        } catch {
            print(system.logs())
            await system.shutdown()
            try? await sink.stop()
            throw error
        }
        await system.shutdown()
        try await sink.stop()
    }
}

/// The answer of `POST /v1/webhooks/email`.
struct EmailAnswer: Decodable {
    var ok: Bool
    var runId: String?
    var threadRunId: String?
    var ignored: String?
}

extension AgentrySystem {
    /// Posts a raw email to the inbound email webhook with the test token.
    func postEmail(_ raw: String) async throws -> EmailAnswer {
        var request = HTTPRequest(
            url: "\(apiURL)/v1/webhooks/email?token=\(EmailThreadTests.token)", method: .post, body: Data(raw.utf8))
        request.headers.add(name: "Content-Type", value: "message/rfc822")
        let response = try await http.execute(request)
        guard response.status == 200 else {
            throw SystemError("POST /v1/webhooks/email answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(EmailAnswer.self, from: response.body)
    }

    /// The run's `thread_run_id`.
    func threadRunId(of runId: UUID) async throws -> UUID? {
        try await store.query("SELECT thread_run_id FROM runs WHERE id = \(runId)").first?.decode(UUID?.self, at: 0)
    }

    /// The run's request as stored.
    func request(of runId: UUID) async throws -> String? {
        try await store.query("SELECT request FROM runs WHERE id = \(runId)").first?.decode(String.self, at: 0)
    }
}
