import AgentryContracts
import Foundation
import Testing

@testable import AgentryIngest

/// `POST /v1/webhooks/jira` with payloads shaped like Jira Cloud's webhooks, signed with the
/// webhook secret as Jira signs them (`X-Hub-Signature: sha256=…`).
@Suite struct IngestJiraTests {
    static let secret = "jira-webhook-secret-3f9a"
    static let bot = "5b10ac8d82e05b22cc7d4ef5"

    static func harness(projects: Set<String> = []) -> IngestHarness {
        IngestHarness(configuration: IngestConfiguration(
            slackSigningSecret: IngestHarness.secret, publishTimeout: .seconds(30),
            jira: JiraSettings(
                secret: secret, triggerLabel: "agentry", triggerMention: "[~accountid:\(bot)]", projects: projects,
                botAccountId: bot, tenant: "acme")))
    }

    static func signed(_ body: String, signature: String? = nil, delivery: String? = "2f3c1b7e-webhook-1") -> APIRequest {
        var headers = [
            "Content-Type": "application/json; charset=utf-8",
            "X-Hub-Signature": signature ?? HMACSignatureVerifier(secret: secret).signature(body: Array(body.utf8)),
            "User-Agent": "Atlassian Webhook HTTP Client",
        ]
        if let delivery { headers["X-Atlassian-Webhook-Identifier"] = delivery }
        return APIRequest(headers: headers, body: Array(body.utf8))
    }

    static func issue(labels: [String] = [], description: String = "Customers see 502s on checkout since 09:00.", project: String = "OPS") -> String {
        let labelList = labels.map { "\"\($0)\"" }.joined(separator: ",")
        return """
        {"id":"10042","self":"https://acme.atlassian.net/rest/api/2/issue/10042","key":"\(project)-42",
         "fields":{"summary":"Investigate checkout errors","description":"\(description)","labels":[\(labelList)],
                   "project":{"id":"10000","key":"\(project)","name":"Operations"},
                   "issuetype":{"name":"Task"},"status":{"name":"To Do"}}}
        """
    }

    static func issueCreated(labels: [String] = ["agentry"], project: String = "OPS") -> String {
        #"{"timestamp":1718000000000,"webhookEvent":"jira:issue_created","issue_event_type_name":"issue_created","user":{"accountId":"557058:alice","displayName":"Alice"},"issue":"#
            + issue(labels: labels, project: project) + "}"
    }

    static func commentCreated(body: String, author: String = "557058:alice", labels: [String] = []) -> String {
        #"{"timestamp":1718000100000,"webhookEvent":"comment_created","comment":{"id":"20001","self":"https://acme.atlassian.net/rest/api/2/issue/10042/comment/20001","body":"\#(body)","author":{"accountId":"\#(author)","displayName":"Someone"},"created":"2024-06-10T06:15:00.000+0000"},"issue":"#
            + issue(labels: labels) + "}"
    }

    @Test func aLabelledNewIssueStartsARunLinkedToIt() async throws {
        let harness = Self.harness()
        let answer = await harness.api.receiveJiraWebhook(Self.signed(Self.issueCreated()))
        #expect(answer.status == .ok)
        let envelope = try #require(harness.facts.first)
        #expect(envelope.tenant == "acme")
        let run = try #require(envelope.payload.as(RunRequested.self))
        #expect(run.source == .jira)
        #expect(run.request == "Investigate checkout errors\n\nCustomers see 502s on checkout since 09:00.")
        #expect(run.externalEventId == "2f3c1b7e-webhook-1")
        #expect(run.requestedBy == "557058:alice")
        #expect(run.sourceReference == SourceReference(
            jiraIssueKey: "OPS-42", jiraBaseURL: "https://acme.atlassian.net", url: "https://acme.atlassian.net/browse/OPS-42"))
        // Jira's retry of the same delivery is the same run.
        let retry = await harness.api.receiveJiraWebhook(Self.signed(Self.issueCreated()))
        #expect(try retry.decode(SlackAcknowledgement.self).runId == envelope.runId?.wireString)
    }

    @Test func aCommentMentioningTheBotStartsARunWithTheCommentAsTheRequest() async throws {
        let harness = Self.harness()
        let answer = await harness.api.receiveJiraWebhook(Self.signed(Self.commentCreated(
            body: "[~accountid:\(Self.bot)] summarise the open incidents", author: "557058:bob"), delivery: nil))
        #expect(answer.status == .ok)
        let run = try #require(harness.facts.first?.payload.as(RunRequested.self))
        #expect(run.request == "summarise the open incidents")
        #expect(run.requestedBy == "557058:bob")
        #expect(run.externalEventId == "comment_created:10042:20001")
    }

    @Test func aDocumentFormatCommentIsReadAsText() async throws {
        let harness = Self.harness()
        let adf = #"{"timestamp":1,"webhookEvent":"comment_created","comment":{"id":"7","author":{"accountId":"u1"},"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"mention","attrs":{"id":"\#(Self.bot)","text":"[~accountid:\#(Self.bot)]"}},{"type":"text","text":" post the status to #ops"}]}]}},"issue":"#
            + Self.issue() + "}"
        #expect(await harness.api.receiveJiraWebhook(Self.signed(adf)).status == .ok)
        #expect(harness.facts.first?.payload.as(RunRequested.self)?.request == "post the status to #ops")
    }

    @Test func addingTheLabelStartsARunAndOtherUpdatesDoNot() async throws {
        let harness = Self.harness()
        func updated(from: String, to: String) -> String {
            #"{"timestamp":2,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic","user":{"accountId":"u2"},"changelog":{"id":"1","items":[{"field":"labels","fieldtype":"jira","from":null,"fromString":"\#(from)","to":null,"toString":"\#(to)"}]},"issue":"#
                + Self.issue(labels: to.split(separator: " ").map(String.init)) + "}"
        }
        let added = await harness.api.receiveJiraWebhook(Self.signed(updated(from: "urgent", to: "agentry urgent"), delivery: "d1"))
        #expect(try added.decode(SlackAcknowledgement.self).runId != nil)
        let unrelated = await harness.api.receiveJiraWebhook(Self.signed(updated(from: "agentry", to: "agentry urgent"), delivery: "d2"))
        #expect(try unrelated.decode(SlackAcknowledgement.self).ignored == "not_addressed")
        #expect(harness.facts.count == 1)
    }

    @Test func whatDoesNotAddressTheBotIsIgnored() async throws {
        let harness = Self.harness(projects: ["OPS"])
        let cases: [(String, String)] = [
            (Self.issueCreated(labels: []), "not_addressed"),
            (Self.issueCreated(project: "HR"), "other_project"),
            (Self.commentCreated(body: "[~accountid:\(Self.bot)] done", author: Self.bot), "bot_comment"),
            (Self.commentCreated(body: "looks good to me"), "not_addressed"),
            (#"{"webhookEvent":"jira:issue_deleted","issue":{"key":"OPS-1"}}"#, "unsupported_event"),
            (Self.commentCreated(body: "[~accountid:\(Self.bot)]   "), "empty_text"),
        ]
        for (body, reason) in cases {
            let answer = await harness.api.receiveJiraWebhook(Self.signed(body))
            #expect(answer.status == .ok)
            #expect(try answer.decode(SlackAcknowledgement.self).ignored == reason, "\(reason)")
        }
        #expect(harness.facts.isEmpty)
        #expect(harness.counter("agentry_ingest_jira_events_ignored_total", "reason", "bot_comment") == 1)
    }

    @Test func badSignaturesAndBadBodiesChangeNothing() async {
        let harness = Self.harness()
        let body = Self.issueCreated()
        let forged = HMACSignatureVerifier(secret: "another-secret").signature(body: Array(body.utf8))
        for (signature, reason) in [("", "signature_missing"), ("sha1=abcd", "signature_malformed"), (forged, "signature_mismatch")] {
            var request = Self.signed(body, signature: signature)
            if signature.isEmpty { request = APIRequest(headers: ["Content-Type": "application/json"], body: Array(body.utf8)) }
            let answer = await harness.api.receiveJiraWebhook(request)
            #expect(answer.status == .unauthorized, "\(reason)")
            #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", reason) == 1)
        }
        // A body changed after signing.
        var tampered = Self.signed(body)
        tampered.body = Array(body.replacingOccurrences(of: "OPS-42", with: "OPS-43").utf8)
        #expect(await harness.api.receiveJiraWebhook(tampered).status == .unauthorized)
        // Signed, but not what Jira sends.
        #expect(await harness.api.receiveJiraWebhook(Self.signed("{oops")).status == .badRequest)
        #expect(await harness.api.receiveJiraWebhook(Self.signed(#"{"webhookEvent":"comment_created"}"#)).status == .badRequest)
        #expect(harness.facts.isEmpty)
        // Without a secret the route is disabled.
        #expect(await IngestHarness().api.receiveJiraWebhook(Self.signed(body)).status == .notFound)
    }
}
