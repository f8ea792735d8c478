import AgentryContracts
import AgentryServiceKit
import AgentryStore
import Foundation
import Testing

@testable import AgentryIngest

/// `POST /v1/webhooks/email`: raw RFC 5322 messages and providers' forms, authenticated by the
/// inbound email token; replies to a run's emails continue its thread.
@Suite struct IngestEmailTests {
    static let token = "inbound-email-token-7c1d2e"

    static func harness(allowed: Set<String> = [], own: String? = "agentry@agentry.example.com") -> IngestHarness {
        IngestHarness(configuration: IngestConfiguration(
            publishTimeout: .seconds(30),
            email: EmailSettings(token: token, tenant: "acme", allowedSenders: allowed, ownAddress: own, maxBytes: 64 * 1_024)))
    }

    /// A raw message with CRLF line ends.
    static func message(
        from: String = "Ana Lopez <ana@example.com>", subject: String = "Weekly report",
        messageId: String? = "<CAF1.ana@mail.example.com>", inReplyTo: String? = nil, references: String? = nil,
        extraHeaders: [String] = [], body: String = "Please summarise the open incidents and email them to me."
    ) -> [UInt8] {
        var lines = ["From: \(from)", "To: agentry@inbound.example.com", "Subject: \(subject)",
                     "Date: Mon, 10 Jun 2024 09:00:00 +0000", "MIME-Version: 1.0"]
        if let messageId { lines.append("Message-ID: \(messageId)") }
        if let inReplyTo { lines.append("In-Reply-To: \(inReplyTo)") }
        if let references { lines.append("References: \(references)") }
        lines += extraHeaders
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    static func raw(_ body: [UInt8], token: String? = token, via: String = "bearer") -> APIRequest {
        var headers = ["Content-Type": "message/rfc822"]
        if let token, via == "bearer" { headers["Authorization"] = "Bearer \(token)" }
        if let token, via == "header" { headers["X-Agentry-Token"] = token }
        return APIRequest(headers: headers, body: body)
    }

    static func run(_ harness: IngestHarness) throws -> (Envelope, RunRequested) {
        let envelope = try #require(harness.facts.last)
        return (envelope, try #require(envelope.payload.as(RunRequested.self)))
    }

    @Test func aNewEmailStartsARunThatAnswersTheSender() async throws {
        let harness = Self.harness()
        let answer = await harness.api.receiveEmail(Self.raw(Self.message()), queryToken: nil)
        #expect(answer.status == .ok)
        let acknowledgement = try answer.decode(EmailAcknowledgement.self)
        let (envelope, run) = try Self.run(harness)
        #expect(acknowledgement.runId == envelope.runId?.wireString)
        #expect(acknowledgement.threadRunId == nil)
        #expect(envelope.tenant == "acme")
        #expect(run.source == .email)
        #expect(run.request == "Weekly report\n\nPlease summarise the open incidents and email them to me.")
        #expect(run.externalEventId == "<CAF1.ana@mail.example.com>")
        #expect(run.requestedBy == "ana@example.com")
        #expect(run.threadRunId == nil)
        #expect(run.sourceReference == SourceReference(
            emailMessageId: "<CAF1.ana@mail.example.com>", emailFrom: "ana@example.com", emailSubject: "Weekly report"))
        #expect(harness.store.emailLookups.isEmpty)
        #expect(harness.counter("agentry_ingest_runs_requested_total", "source", "email") == 1)
    }

    @Test func theTokenMayComeInTheURLOrAHeaderAndTheSameEmailTwiceIsOneRun() async throws {
        let harness = Self.harness()
        let first = await harness.api.receiveEmail(Self.raw(Self.message(), token: nil), queryToken: Self.token)
        let second = await harness.api.receiveEmail(Self.raw(Self.message(), via: "header"), queryToken: nil)
        #expect(first.status == .ok && second.status == .ok)
        let ids = try [first, second].map { try $0.decode(EmailAcknowledgement.self).runId }
        #expect(ids[0] != nil && ids[0] == ids[1])
    }

    @Test func aMissingOrWrongTokenIs401AndNothingIsPublished() async throws {
        let harness = Self.harness()
        let missing = await harness.api.receiveEmail(Self.raw(Self.message(), token: nil), queryToken: nil)
        let wrong = await harness.api.receiveEmail(Self.raw(Self.message(), token: "inbound-email-token-7c1d2f"), queryToken: nil)
        let wrongQuery = await harness.api.receiveEmail(Self.raw(Self.message()), queryToken: "nope")
        for answer in [missing, wrong, wrongQuery] {
            #expect(answer.status == .unauthorized)
            #expect(answer.errorCode == "invalid_token")
        }
        #expect(harness.facts.isEmpty)
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "token_missing") == 1)
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "token_mismatch") == 2)
    }

    @Test func withoutATokenConfiguredTheRouteIsOff() async throws {
        let harness = IngestHarness()
        let answer = await harness.api.receiveEmail(Self.raw(Self.message()), queryToken: nil)
        #expect(answer.status == .notFound)
        #expect(answer.errorCode == "email_not_configured")
    }

    @Test func aReplyToARunsNotificationContinuesItsThread() async throws {
        let harness = Self.harness()
        let thread = UUID()
        let notification = AgentryMessageID.make(deliveryId: UUID(), domain: "agentry.example.com")
        harness.store.add(emailThread: thread, messageId: notification)
        let body = """
            Yes, and post them to #ops too.\r
            \r
            On Mon, 10 Jun 2024 at 09:01, Agentry <agentry@agentry.example.com> wrote:\r
            > Done: 3 open incidents\r
            > fetch: id | title\r
            """
        let answer = await harness.api.receiveEmail(Self.raw(Self.message(
            subject: "Re: Weekly report", messageId: "<CAF2.ana@mail.example.com>", inReplyTo: notification,
            references: "<CAF1.ana@mail.example.com> \(notification)", body: body)), queryToken: nil)
        #expect(answer.status == .ok)
        #expect(try answer.decode(EmailAcknowledgement.self).threadRunId == thread.wireString)
        let (_, run) = try Self.run(harness)
        #expect(run.threadRunId == thread)
        #expect(run.request == "Yes, and post them to #ops too.")
        #expect(run.externalEventId == "<CAF2.ana@mail.example.com>")
        #expect(run.sourceReference?.emailReferences == ["<CAF1.ana@mail.example.com>", notification])
        #expect(run.sourceReference?.emailSubject == "Re: Weekly report")
        // Most direct first: In-Reply-To, then References newest first.
        #expect(harness.store.emailLookups == [[notification, "<CAF1.ana@mail.example.com>"]])
    }

    @Test func aReplyNobodyKnowsStartsANewThread() async throws {
        let harness = Self.harness()
        let answer = await harness.api.receiveEmail(Self.raw(Self.message(
            subject: "Re: lunch", messageId: "<x2@mail.example.com>", inReplyTo: "<x1@mail.example.com>",
            body: "Summarise the open incidents")), queryToken: nil)
        #expect(answer.status == .ok)
        #expect(try answer.decode(EmailAcknowledgement.self).threadRunId == nil)
        #expect(try Self.run(harness).1.threadRunId == nil)
    }

    @Test func theThreadLookupFailingIs503SoTheProviderRetries() async throws {
        let harness = Self.harness()
        harness.store.fail(with: PostgresError(.connectionFailed, "connection refused"))
        let answer = await harness.api.receiveEmail(Self.raw(Self.message(inReplyTo: "<x1@mail.example.com>")), queryToken: nil)
        #expect(answer.status == .serviceUnavailable)
        #expect(harness.facts.isEmpty)
    }

    @Test func automaticOwnUnknownAndEmptyMailIsAcknowledgedButStartsNothing() async throws {
        let harness = Self.harness(allowed: ["@example.com", "bob@partner.example.org"])
        let cases: [([UInt8], String)] = [
            (Self.message(extraHeaders: ["Auto-Submitted: auto-replied"]), "automatic"),
            (Self.message(from: "Agentry <Agentry@agentry.example.com>"), "own_message"),
            (Self.message(from: "eve@elsewhere.example.net"), "sender_not_allowed"),
            (Self.message(subject: "", body: "  \r\n  "), "empty"),
        ]
        for (body, reason) in cases {
            let answer = await harness.api.receiveEmail(Self.raw(body), queryToken: nil)
            #expect(answer.status == .ok)
            #expect(try answer.decode(EmailAcknowledgement.self).ignored == reason)
            #expect(harness.counter("agentry_ingest_emails_ignored_total", "reason", reason) == 1)
        }
        #expect(harness.facts.isEmpty)
        let allowed = await harness.api.receiveEmail(Self.raw(Self.message(from: "bob@partner.example.org")), queryToken: nil)
        #expect(try allowed.decode(EmailAcknowledgement.self).runId != nil)
    }

    @Test func badBodiesGetClearErrorsAndPublishNothing() async throws {
        let harness = Self.harness()
        let json = APIRequest(
            headers: ["Content-Type": "application/json", "Authorization": "Bearer \(Self.token)"], body: Array("{}".utf8))
        let unsupported = await harness.api.receiveEmail(json, queryToken: nil)
        #expect(unsupported.status == .unsupportedMediaType)
        #expect(try unsupported.decode(APIErrorBody.self).error.message.contains("message/rfc822"))

        let noHeaders = await harness.api.receiveEmail(Self.raw(Array("just some text without headers".utf8)), queryToken: nil)
        #expect(noHeaders.status == .badRequest)
        #expect(noHeaders.errorCode == "invalid_email")

        let noSender = await harness.api.receiveEmail(Self.raw(Self.message(from: "undisclosed-recipients:;")), queryToken: nil)
        #expect(noSender.status == .badRequest)
        #expect(try noSender.decode(APIErrorBody.self).error.message.contains("no From address"))

        let form = APIRequest(
            headers: ["Content-Type": "multipart/form-data", "Authorization": "Bearer \(Self.token)"], body: Array("--x\r\n".utf8))
        let noBoundary = await harness.api.receiveEmail(form, queryToken: nil)
        #expect(noBoundary.status == .badRequest)
        #expect(noBoundary.errorCode == "invalid_email")

        #expect(harness.facts.isEmpty)
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "invalid_email") == 3)
    }

    @Test func aMessageWithoutAMessageIDIsIdentifiedByItsBytes() async throws {
        let harness = Self.harness()
        let body = Self.message(messageId: nil)
        _ = await harness.api.receiveEmail(Self.raw(body), queryToken: nil)
        _ = await harness.api.receiveEmail(Self.raw(body), queryToken: nil)
        let runs = harness.facts.compactMap { $0.payload.as(RunRequested.self) }
        #expect(runs.count == 2)
        #expect(runs[0].externalEventId == "sha256:" + EmailEventMapper.digest(body))
        #expect(harness.facts[0].runId == harness.facts[1].runId)
    }

    @Test func aMailgunFormBecomesARun() async throws {
        let harness = Self.harness()
        let boundary = "mg-boundary-81c2"
        func field(_ name: String, _ value: String) -> String {
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        let body = field("sender", "ana@example.com") + field("from", "Ana Lopez <ana@example.com>")
            + field("subject", "Status page") + field("body-plain", "Check https://status.example.com and tell me.")
            + field("Message-Id", "<mg-1@mail.example.com>") + "--\(boundary)--\r\n"
        let request = APIRequest(
            headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: Array(body.utf8))
        let answer = await harness.api.receiveEmail(request, queryToken: Self.token)
        #expect(answer.status == .ok)
        let (_, run) = try Self.run(harness)
        #expect(run.request == "Status page\n\nCheck https://status.example.com and tell me.")
        #expect(run.externalEventId == "<mg-1@mail.example.com>")
        #expect(run.sourceReference?.emailFrom == "ana@example.com")
    }

    @Test func settingsAreReadAndCheckedFromTheEnvironment() throws {
        let configuration = try IngestConfiguration(environment: [
            "AGENTRY_EMAIL_TOKEN": "0123456789abcdef0123", "AGENTRY_EMAIL_TENANT": "acme",
            "AGENTRY_EMAIL_ALLOWED_SENDERS": "Ana@Example.com, @partner.example.org",
            "AGENTRY_SMTP_FROM": "Agentry <Agentry@Example.com>", "AGENTRY_EMAIL_MAX_BYTES": "2048",
        ])
        let email = try #require(configuration.email)
        #expect(email.tenant == "acme")
        #expect(email.allowedSenders == ["ana@example.com", "@partner.example.org"])
        #expect(email.ownAddress == "agentry@example.com")
        #expect(email.maxBytes == 2_048)
        #expect(email.allows(sender: "ANA@example.com") && email.allows(sender: "x@partner.example.org"))
        #expect(!email.allows(sender: "x@example.com"))
        #expect(!"\(configuration)".contains("0123456789abcdef0123"))
        #expect(try IngestConfiguration(environment: [:]).email == nil)
        for (key, value) in [("AGENTRY_EMAIL_TOKEN", "short"), ("AGENTRY_EMAIL_ALLOWED_SENDERS", "not an address")] {
            var environment = ["AGENTRY_EMAIL_TOKEN": "0123456789abcdef0123"]
            environment[key] = value
            #expect(throws: ConfigurationError.self) { try IngestConfiguration(environment: environment) }
        }
    }
}
