import AgentryChannels
import AgentryContracts
@testable import AgentryNotifier
import Foundation
import Testing

@Suite struct NotifierMessageTests {
    static let runId = UUID(uuidString: "0B9F3C52-8D1E-4A7B-9C2F-5E6D7A8B9C01")!
    static let approvalId = UUID(uuidString: "7E57A11D-0000-4000-8000-000000000001")!

    static func run(_ source: RunSource, _ reference: SourceReference? = nil, request: String = "summarise the open incidents and post them to #ops")
        -> NotifierRun
    {
        NotifierRun(id: runId, tenant: "acme", source: source.rawValue, sourceReference: reference, request: request,
                    status: "completed")
    }

    static let slackReference = SourceReference(slackTeam: "T1", slackChannel: "C0123", slackThreadTs: "1718000000.000100",
                                                slackUser: "U1")

    static let completed = NotifierFact.completed(RunCompleted(
        status: .completed, summary: "posted 3 open incidents to #ops",
        outputs: ["fetch": ["columns": ["id"], "rowCount": 3, "text": "id | title\n1  | db down"], "note": "all good"],
        costUSD: 0.0012, promptTokens: 100, completionTokens: 20))

    static let approval = NotifierFact.approvalRequested(ApprovalRequested(
        approvalId: approvalId, kind: .step, stepId: "cleanup", summary: "run a shell script that deletes old logs",
        risk: .high, approverRoles: ["approver", "admin"]))

    static let cleanupStep = NotifierStep(
        id: "cleanup", specialist: "code", tool: "shell.run", description: "Delete logs older than 30 days",
        input: ["script": "find /var/log/app -mtime +30 -delete"], error: nil)

    private func message(_ fact: NotifierFact, _ run: NotifierRun, step: NotifierStep? = nil) -> OutboundMessage {
        NotificationRouter.message(for: NotificationComposer.compose(fact, run: run, step: step), run: run)
    }

    @Test func aSlackRunGetsAThreadedReplyWithSummaryAndOutputs() throws {
        guard case .slack(let slack) = message(Self.completed, Self.run(.slack, Self.slackReference)) else {
            Issue.record("expected a Slack message")
            return
        }
        #expect(slack.channel == "C0123")
        #expect(slack.threadTs == "1718000000.000100")
        #expect(slack.blocks == nil)
        #expect(slack.text.hasPrefix("*Done: posted 3 open incidents to #ops*"))
        #expect(slack.text.contains("*fetch:*\n```id | title\n1  | db down```"))
        #expect(slack.text.contains("*note:* all good"))
        #expect(slack.text.contains("*Request:* summarise the open incidents"))
        #expect(slack.text.contains("120 tokens"))
        #expect(slack.text.contains("agentry run 0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01"))
    }

    @Test func runTextIsEscapedForSlack() {
        let fact = NotifierFact.completed(RunCompleted(status: .completed, summary: "ping <!channel> & co"))
        guard case .slack(let slack) = message(fact, Self.run(.slack, Self.slackReference, request: "<@U0> hi")) else {
            Issue.record("expected a Slack message")
            return
        }
        #expect(!slack.text.contains("<!channel>"))
        #expect(slack.text.contains("&lt;!channel&gt; &amp; co"))
        #expect(slack.text.contains("&lt;@U0&gt; hi"))
    }

    @Test func anApprovalInSlackHasApproveAndRejectButtonsCarryingTheApprovalId() throws {
        guard case .slack(let slack) = message(Self.approval, Self.run(.slack, Self.slackReference), step: Self.cleanupStep)
        else {
            Issue.record("expected a Slack message")
            return
        }
        let blocks = try #require(slack.blocks?.arrayValue)
        let actions = try #require(blocks.first { $0["type"] == "actions" })
        let buttons = try #require(actions["elements"]?.arrayValue)
        #expect(buttons.map { $0["action_id"] } == ["agentry_approve", "agentry_reject"])
        #expect(buttons.allSatisfy { $0["value"] == .string(Self.approvalId.uuidString.lowercased()) })
        #expect(buttons.map { $0["style"] } == ["primary", "danger"])
        #expect(slack.threadTs == "1718000000.000100")
        // The fallback text says what would run, its risk and how to decide without buttons.
        #expect(slack.text.contains("*Approval needed: run a shell script that deletes old logs*"))
        #expect(slack.text.contains("cleanup (shell.run on the code worker), risk high"))
        #expect(slack.text.contains("Delete logs older than 30 days"))
        #expect(slack.text.contains("find /var/log/app -mtime +30 -delete"))
        #expect(slack.text.contains("agentry approve 7e57a11d-0000-4000-8000-000000000001"))
        #expect(slack.text.contains("agentry reject 7e57a11d-0000-4000-8000-000000000001"))
        #expect(slack.text.contains("POST /v1/approvals/7e57a11d-0000-4000-8000-000000000001"))
        for block in blocks where block["type"] == "section" {
            #expect((block["text"]?["text"]?.stringValue?.count ?? 0) <= NotificationFormatter.slackSectionLimit)
        }
    }

    @Test func aPlanApprovalListsTheSteps() {
        let plan = Plan(steps: [
            PlanStep(id: "fetch", specialist: .data, tool: "sql.query", description: "Read open incidents"),
            PlanStep(id: "mail", specialist: .comm, tool: "email.send", dependsOn: ["fetch"], risk: .high),
        ])
        let fact = NotifierFact.approvalRequested(ApprovalRequested(
            approvalId: Self.approvalId, kind: .plan, summary: "approve the plan", risk: .high, approverRoles: [],
            plan: plan))
        let text = NotificationFormatter.plainText(NotificationComposer.compose(fact, run: Self.run(.api), step: nil))
        #expect(text.contains("the whole plan (2 steps), risk high"))
        #expect(text.contains("1. fetch: sql.query — Read open incidents"))
        #expect(text.contains("2. mail: email.send"))
    }

    @Test func aFailedRunSaysWhyAndWhichStep() {
        let fact = NotifierFact.failed(RunFailed(
            reason: "step fetch failed after 3 attempts: relation \"incidents\" does not exist", failedStepId: "fetch",
            code: "step_failed"))
        let step = NotifierStep(id: "fetch", specialist: "data", tool: "sql.query", description: "Read open incidents",
                                input: nil, error: "ERROR: relation \"incidents\" does not exist")
        let content = NotificationComposer.compose(fact, run: Self.run(.slack, Self.slackReference), step: step)
        #expect(content.kind == .failed)
        #expect(content.headline.hasPrefix("Failed at step fetch: step fetch failed after 3 attempts"))
        let text = NotificationFormatter.plainText(content)
        #expect(text.contains("Reason: step fetch failed after 3 attempts"))
        #expect(text.contains("Failed step: fetch (sql.query): Read open incidents"))
        #expect(text.contains("Step error:\nERROR: relation \"incidents\" does not exist"))
        #expect(text.contains("code step_failed"))
    }

    @Test func anEmailRunGetsAThreadedReplyToTheSender() {
        let reference = SourceReference(emailMessageId: "<CAF1@mail.example.com>", emailFrom: "ana@example.com",
                                        emailSubject: "Weekly report please")
        guard case .email(let email) = message(Self.completed, Self.run(.email, reference)) else {
            Issue.record("expected an email")
            return
        }
        #expect(email.to == ["ana@example.com"])
        #expect(email.subject == "Re: Weekly report please")
        #expect(email.inReplyTo == "<CAF1@mail.example.com>")
        #expect(email.references == ["<CAF1@mail.example.com>"])
        #expect(email.body.hasPrefix("Done: posted 3 open incidents to #ops\n\n"))
        #expect(email.body.contains("fetch:\nid | title"))
    }

    @Test func anEmailReplyInAThreadKeepsTheWholeThreadInItsReferences() {
        let reference = SourceReference(
            emailMessageId: "<reply-2@mail.example.com>", emailFrom: "ana@example.com",
            emailReferences: ["<CAF1@mail.example.com>", "<agentry.1@example.com>", "<CAF1@mail.example.com>"],
            emailSubject: "Re: Weekly report please")
        guard case .email(let email) = message(Self.completed, Self.run(.email, reference)) else {
            Issue.record("expected an email")
            return
        }
        #expect(email.subject == "Re: Weekly report please")
        #expect(email.inReplyTo == "<reply-2@mail.example.com>")
        #expect(email.references == ["<CAF1@mail.example.com>", "<agentry.1@example.com>", "<reply-2@mail.example.com>"])
    }

    @Test func replySubjectsDoNotStackRe() {
        #expect(NotificationRouter.replySubject("RE: hello", fallback: "x") == "RE: hello")
        #expect(NotificationRouter.replySubject("hello\nworld", fallback: "x") == "Re: hello")
        #expect(NotificationRouter.replySubject(nil, fallback: "Done: x") == "Done: x")
    }

    @Test func aJiraRunGetsACommentNamingItsSite() {
        let reference = SourceReference(jiraIssueKey: "OPS-77", jiraBaseURL: "https://acme.atlassian.net")
        guard case .jira(let comment) = message(Self.completed, Self.run(.jira, reference)) else {
            Issue.record("expected a Jira comment")
            return
        }
        #expect(comment.issue == "OPS-77")
        #expect(comment.site == "https://acme.atlassian.net")
        #expect(comment.body.hasPrefix("*Done: posted 3 open incidents to #ops*"))
        #expect(comment.body.contains("{noformat}\nid | title\n1  | db down\n{noformat}"))
    }

    @Test func jiraMarkupInRunTextIsEscaped() {
        #expect(NotificationFormatter.jiraEscape("a *b* [c|http://x] {code}") == #"a \*b\* \[c\|http://x\] \{code\}"#)
        #expect(NotificationFormatter.jiraEscape("- not a list - item") == #"\- not a list - item"#)
    }

    @Test(arguments: [RunSource.api, .cli, .webhook])
    func runsWithoutAConversationAreCaptured(source: RunSource) {
        guard case .note(let note) = message(Self.completed, Self.run(source)) else {
            Issue.record("expected a capture note")
            return
        }
        #expect(note.source == source.rawValue)
        #expect(note.subject == "Done: posted 3 open incidents to #ops")
        #expect(note.text.contains("all good"))
    }

    @Test func aSourceWithoutItsAddressFallsBackToTheCapture() {
        for run in [Self.run(.slack), Self.run(.email, SourceReference(emailSubject: "x")),
                    Self.run(.jira, SourceReference(jiraIssueKey: "not a key"))] {
            guard case .note = message(Self.completed, run) else {
                Issue.record("\(run.source) without an address should be captured")
                continue
            }
        }
    }

    @Test func longOutputsAreCutAndCounted() {
        var outputs: [String: JSONValue] = ["big": .string(String(repeating: "x", count: 10_000))]
        for index in 0..<8 { outputs["o\(index)"] = "v" }
        let fact = NotifierFact.completed(RunCompleted(status: .completed, summary: "s", outputs: outputs))
        let content = NotificationComposer.compose(fact, run: Self.run(.api), step: nil)
        let big = content.sections.first { $0.label == "big" }
        #expect(big?.text.count == NotificationComposer.outputLimit)
        #expect(content.sections.contains { $0.text.contains("… and 3 more outputs") })
    }

    @Test func idempotencyKeysArePerFact() {
        let run = "0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01"
        #expect(Self.completed.idempotencyKey(runId: Self.runId) == "notify:run.completed:\(run)")
        #expect(NotifierFact.failed(RunFailed(reason: "x")).idempotencyKey(runId: Self.runId) == "notify:run.failed:\(run)")
        #expect(Self.approval.idempotencyKey(runId: Self.runId)
            == "notify:approval.requested:\(run):7e57a11d-0000-4000-8000-000000000001")
    }

    @Test func cancelledRunsSaySo() {
        let fact = NotifierFact.completed(RunCompleted(status: .cancelled, summary: ""))
        let content = NotificationComposer.compose(fact, run: Self.run(.api), step: nil)
        #expect(content.kind == .cancelled)
        #expect(content.headline == "Cancelled: an operator stopped the run")
    }
}

@Suite struct NotifierOutputRenderingTests {
    @Test func outputsAreShownTheWayPeopleReadThem() {
        #expect(OutputRendering.render("plain", limit: 100) == ("plain", false))
        #expect(OutputRendering.render(["rowCount": 1, "text": "a | b"], limit: 100) == ("a | b", true))
        #expect(OutputRendering.render(["exitCode": 0, "stdout": "hi\n", "stderr": ""], limit: 100) == ("hi\n", true))
        #expect(OutputRendering.render(
            ["channel": "slack", "status": "delivered", "deliveryId": "d", "target": "C1"], limit: 100)
            == ("slack message delivered to C1", false))
        #expect(OutputRendering.render(["b": 1, "a": [true]], limit: 100).text == "{\n  \"a\" : [\n    true\n  ],\n  \"b\" : 1\n}")
        #expect(OutputRendering.render(.null, limit: 100) == ("(nothing)", false))
        #expect(OutputRendering.render(.string(String(repeating: "x", count: 500)), limit: 100).text.count == 100)
    }
}
