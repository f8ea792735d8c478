@testable import AgentryChannels
import AgentryContracts
import AgentryHTTP
import AgentryServiceKit
import Foundation
import Testing

@Suite struct CommSlackResponseTests {
    private func response(_ body: String, status: Int = 200, headers: HTTPHeaders = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test func okReturnsTheChannelAndTs() throws {
        let result = try SlackAPIResponse.interpret(
            response(#"{"ok":true,"channel":"C0123","ts":"1718000000.000100","message":{"text":"hi"}}"#)).get()
        #expect(result == SlackPostResult(channel: "C0123", ts: "1718000000.000100"))
    }

    @Test func ratelimitedIsRetryableAndKeepsRetryAfter() {
        let result = SlackAPIResponse.interpret(
            response(#"{"ok":false,"error":"ratelimited"}"#, headers: ["Retry-After": "7"]))
        guard case .failure(let error) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .rateLimited)
        #expect(error.isRetryable)
        #expect(error.retryAfter == .seconds(7))
        #expect(error.channel == .slack)
    }

    @Test(arguments: [
        ("channel_not_found", ChannelError.Code.notFound),
        ("not_in_channel", .rejected),
        ("is_archived", .rejected),
        ("msg_too_long", .rejected),
        ("invalid_auth", .unauthorized),
        ("missing_scope", .unauthorized),
    ])
    func permanentErrorsAreNotRetryable(error: String, code: ChannelError.Code) {
        let result = SlackAPIResponse.interpret(response(#"{"ok":false,"error":"\#(error)"}"#))
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure for \(error)")
            return
        }
        #expect(failure.code == code)
        #expect(!failure.isRetryable)
        #expect(failure.message.contains(error))
    }

    @Test(arguments: ["internal_error", "fatal_error", "service_unavailable", "request_timeout"])
    func serverSideErrorsAreRetryable(error: String) {
        let result = SlackAPIResponse.interpret(response(#"{"ok":false,"error":"\#(error)"}"#))
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure for \(error)")
            return
        }
        #expect(failure.code == .unavailable)
        #expect(failure.isRetryable)
    }

    @Test func http429IsRetryableAfterTheHeader() {
        guard case .failure(let error) = SlackAPIResponse.interpret(
            response("slow down", status: 429, headers: ["Retry-After": "30"]))
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .rateLimited)
        #expect(error.retryAfter == .seconds(30))
    }

    @Test func statusesDecideWithoutABody() {
        let cases: [(Int, ChannelError.Code, Bool)] = [
            (500, .unavailable, true), (503, .unavailable, true), (404, .notFound, false),
            (401, .unauthorized, false), (400, .rejected, false),
        ]
        for (status, code, retryable) in cases {
            guard case .failure(let error) = SlackAPIResponse.interpret(response("", status: status)) else {
                Issue.record("expected a failure for HTTP \(status)")
                continue
            }
            #expect(error.code == code, "HTTP \(status)")
            #expect(error.isRetryable == retryable, "HTTP \(status)")
        }
    }

    @Test func aBodyThatIsNotTheAPIIsABadResponse() {
        for body in ["<html>hello</html>", #"{"hello":"world"}"#, #"{"ok":true}"#] {
            guard case .failure(let error) = SlackAPIResponse.interpret(response(body)) else {
                Issue.record("expected a failure for \(body)")
                continue
            }
            #expect(error.code == .badResponse)
            #expect(!error.isRetryable)
        }
    }

    @Test func retryAfterParsing() {
        #expect(RetryAfter.parse("12") == .seconds(12))
        #expect(RetryAfter.parse(" 3 ") == .seconds(3))
        #expect(RetryAfter.parse("999999") == .seconds(3600))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryAfter.parse(nil) == nil)
    }
}

@Suite struct CommJiraResponseTests {
    @Test func createdReturnsTheCommentId() throws {
        let response = HTTPResponse(status: 201, body: Data(#"{"id":"10042","body":"x"}"#.utf8))
        #expect(try JiraClient.interpret(response, issue: "OPS-1").get() == JiraCommentResult(id: "10042"))
    }

    @Test func errorsCarryJirasMessagesAndClassify() {
        let cases: [(Int, ChannelError.Code)] = [
            (400, .rejected), (401, .unauthorized), (403, .unauthorized), (404, .notFound), (429, .rateLimited),
            (502, .unavailable),
        ]
        for (status, code) in cases {
            let body = #"{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}"#
            guard case .failure(let error) = JiraClient.interpret(
                HTTPResponse(status: status, body: Data(body.utf8)), issue: "OPS-1")
            else {
                Issue.record("expected a failure for \(status)")
                continue
            }
            #expect(error.code == code, "HTTP \(status)")
            #expect(error.message.contains("Issue does not exist"))
            #expect(error.message.contains("OPS-1"))
        }
    }

    @Test(arguments: ["OPS-1234", "A-1", "AB_2-99", "10042", "ops-7"])
    func validIssueKeys(issue: String) {
        #expect(JiraComment.isValidIssue(issue))
    }

    @Test(arguments: ["", "OPS", "OPS-", "-12", "1OPS-2", "OPS-12/../../admin", "OPS-1?x=1", "OPS 1", "ÖPS-1"])
    func invalidIssueKeys(issue: String) {
        #expect(!JiraComment.isValidIssue(issue))
    }
}

@Suite struct CommChannelsConfigurationTests {
    @Test func nothingConfiguredCapturesEverything() throws {
        let configuration = try ChannelsConfiguration(reader: ConfigurationReader(environment: [:]))
        #expect(configuration.slack == nil && configuration.smtp == nil && configuration.jira == nil)
        #expect(configuration.sender.address == "agentry@localhost")
        #expect(configuration.timeout == .seconds(30))
        let channels = OutboundChannels(configuration: configuration)
        for message in [
            OutboundMessage.slack(SlackMessage(channel: "C1", text: "x")),
            .email(EmailMessage(to: ["a@example.com"], subject: "s", body: "b")),
            .jira(JiraComment(issue: "OPS-1", body: "b")),
            .note(CaptureNote(source: "api", subject: "s", text: "t")),
        ] {
            guard case .capture = channels.disposition(for: message) else {
                Issue.record("\(message.channel) should be captured")
                continue
            }
        }
    }

    @Test func everythingConfigured() throws {
        let configuration = try ChannelsConfiguration(reader: ConfigurationReader(environment: [
            "AGENTRY_SLACK_API_URL": "https://slack.example.com/api/",
            "AGENTRY_SLACK_BOT_TOKEN": "xoxb-secret-token",
            "AGENTRY_SMTP_URL": "smtps://relay:relay-secret@mail.example.com:465",
            "AGENTRY_SMTP_FROM": "Agentry Bot <bot@example.com>",
            "AGENTRY_SMTP_USERNAME": "bot",
            "AGENTRY_SMTP_PASSWORD": "mail-secret",
            "AGENTRY_SMTP_STARTTLS": "if_available",
            "AGENTRY_JIRA_BASE_URL": "https://acme.atlassian.net/",
            "AGENTRY_JIRA_USER": "bot@example.com",
            "AGENTRY_JIRA_API_TOKEN": "jira-secret",
            "AGENTRY_CHANNEL_TIMEOUT_SECONDS": "12",
        ]))
        #expect(configuration.slack?.apiURL == "https://slack.example.com/api")
        #expect(configuration.smtp?.startTLS == .ifAvailable)
        #expect(configuration.sender == MailAddress("bot@example.com", name: "Agentry Bot"))
        #expect(configuration.jira?.baseURL == "https://acme.atlassian.net")
        #expect(configuration.timeout == .seconds(12))
        var dumped = ""
        dump(configuration, to: &dumped)
        dump(configuration.slack!, to: &dumped)
        let printed = "\(configuration) \(configuration.slack!) \(configuration.smtp!) \(configuration.jira!) \(dumped)"
        for secret in ["xoxb-secret-token", "mail-secret", "jira-secret", "relay-secret"] {
            #expect(!printed.contains(secret))
        }
    }

    @Test func jiraTokenAloneIsBearer() throws {
        let configuration = try ChannelsConfiguration(reader: ConfigurationReader(environment: [
            "AGENTRY_JIRA_BASE_URL": "https://jira.example.com", "AGENTRY_JIRA_API_TOKEN": "pat",
        ]))
        guard case .bearer(let token)? = configuration.jira?.credentials else {
            Issue.record("expected bearer credentials")
            return
        }
        #expect(token == "pat")
    }

    @Test(arguments: [
        (["AGENTRY_SLACK_API_URL": "https://slack.com/api"], "AGENTRY_SLACK_BOT_TOKEN"),
        (["AGENTRY_SLACK_API_URL": "ftp://slack.com/api", "AGENTRY_SLACK_BOT_TOKEN": "t"], "AGENTRY_SLACK_API_URL"),
        (["AGENTRY_SMTP_URL": "smtp://mail:25"], "AGENTRY_SMTP_FROM"),
        (["AGENTRY_SMTP_URL": "http://mail:25", "AGENTRY_SMTP_FROM": "a@b.c"], "AGENTRY_SMTP_URL"),
        (["AGENTRY_SMTP_FROM": "not an address"], "AGENTRY_SMTP_FROM"),
        (["AGENTRY_SMTP_URL": "smtp://mail:25", "AGENTRY_SMTP_FROM": "a@b.c", "AGENTRY_SMTP_USERNAME": "u"],
         "AGENTRY_SMTP_PASSWORD"),
        (["AGENTRY_SMTP_URL": "smtp://mail:25", "AGENTRY_SMTP_FROM": "a@b.c", "AGENTRY_SMTP_STARTTLS": "maybe"],
         "AGENTRY_SMTP_STARTTLS"),
        (["AGENTRY_JIRA_BASE_URL": "https://jira.example.com", "AGENTRY_JIRA_USER": "u"], "AGENTRY_JIRA_API_TOKEN"),
        (["AGENTRY_CHANNEL_TIMEOUT_SECONDS": "0"], "AGENTRY_CHANNEL_TIMEOUT_SECONDS"),
    ])
    func invalidSettingsNameTheirVariable(environment: [String: String], key: String) {
        #expect {
            _ = try ChannelsConfiguration(reader: ConfigurationReader(environment: environment))
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func jiraSitesAreComparedWithoutCaseOrTrailingSlashes() {
        #expect(OutboundChannels.sameSite("https://ACME.atlassian.net/", "https://acme.atlassian.net"))
        #expect(OutboundChannels.sameSite("https://acme.atlassian.net:443", "https://acme.atlassian.net"))
        #expect(!OutboundChannels.sameSite("https://evil.example.com", "https://acme.atlassian.net"))
        #expect(!OutboundChannels.sameSite("http://acme.atlassian.net", "https://acme.atlassian.net"))
        #expect(!OutboundChannels.sameSite("https://user@acme.atlassian.net", "https://acme.atlassian.net"))
    }

    @Test func aJiraCommentForAnotherSiteIsCaptured() {
        let channels = OutboundChannels(configuration: ChannelsConfiguration(
            jira: .init(baseURL: "https://acme.atlassian.net", credentials: .bearer(token: "t"))))
        #expect(channels.disposition(for: .jira(JiraComment(issue: "OPS-1", body: "b"))) == .send)
        #expect(channels.disposition(for: .jira(JiraComment(
            issue: "OPS-1", body: "b", site: "https://acme.atlassian.net/"))) == .send)
        guard case .capture(let reason) = channels.disposition(for: .jira(JiraComment(
            issue: "OPS-1", body: "b", site: "https://attacker.example.com")))
        else {
            Issue.record("a foreign site must not be a target")
            return
        }
        #expect(reason.contains("attacker.example.com"))
    }
}

@Suite struct CommMessageTests {
    @Test func slackRequestBody() {
        let body = SlackMessage(channel: "C1", text: "hello", threadTs: "1.2").requestBody
        #expect(body["channel"] == "C1")
        #expect(body["text"] == "hello")
        #expect(body["thread_ts"] == "1.2")
        #expect(body["unfurl_links"] == false)
        #expect(SlackMessage(channel: "C1", text: "x").requestBody["thread_ts"] == nil)
        #expect(SlackMessage(channel: "C1", text: "x").requestBody["blocks"] == nil)
        #expect(SlackMessage(channel: "C1", text: "x", blocks: .null).requestBody["blocks"] == nil)
        #expect(SlackMessage(channel: "C1", text: "x", blocks: [["type": "divider"]]).requestBody["blocks"]
            == [["type": "divider"]])
    }

    @Test func longSlackTextsAreCut() throws {
        let body = SlackMessage(channel: "C1", text: String(repeating: "a", count: 50_000)).requestBody
        let text = try #require(body["text"]?.stringValue)
        #expect(text.count == SlackMessage.maxTextLength)
        #expect(text.hasSuffix(TextLimit.marker))
    }

    @Test func slackEscaping() {
        #expect(SlackText.escape("<!channel> & <@U1> > x") == "&lt;!channel&gt; &amp; &lt;@U1&gt; &gt; x")
    }

    @Test func targets() {
        #expect(OutboundMessage.slack(SlackMessage(channel: "C1", text: "x", threadTs: "1.2")).target == "C1/1.2")
        #expect(OutboundMessage.email(EmailMessage(to: ["a@x.io", "b@x.io"], subject: "s", body: "b")).target
            == "a@x.io, b@x.io")
        #expect(OutboundMessage.jira(JiraComment(issue: "OPS-1", body: "b")).target == "OPS-1")
    }

    @Test func emailThreadingHeaders() throws {
        let mail = try EmailClient.mailMessage(
            EmailMessage(to: ["ana@example.com"], subject: "Re: report", body: "done", inReplyTo: "<m1@mail.example.com>"),
            from: "agentry@example.com", messageID: "<agentry.1@example.com>")
        #expect(mail.inReplyTo == "<m1@mail.example.com>")
        #expect(mail.references == ["<m1@mail.example.com>"])
        #expect(mail.messageID == "<agentry.1@example.com>")
        let rendered = String(decoding: mail.rendered(), as: UTF8.self)
        #expect(rendered.contains("In-Reply-To: <m1@mail.example.com>\r\n"))
        #expect(rendered.contains("Message-ID: <agentry.1@example.com>\r\n"))
    }

    @Test func invalidRecipientsAreInvalidMessages() {
        for to in [[], ["not an address"], Array(repeating: "a@example.com", count: 51)] {
            #expect {
                _ = try EmailClient.mailMessage(
                    EmailMessage(to: to, subject: "s", body: "b"), from: "agentry@example.com", messageID: "<x@y>")
            } throws: { error in
                (error as? ChannelError)?.code == .invalidMessage
            }
        }
    }

    @Test func idempotencyHeaderValuesArePrintableASCII() {
        #expect(IdempotencyHeader.value("run-1:step\r\nX-Evil: 1") == "run-1:stepX-Evil:1")
        #expect(IdempotencyHeader.value(String(repeating: "k", count: 400)).count == 255)
    }
}
