import AgentryContracts
import Foundation
import Testing

@testable import AgentryModelGateway

/// The offline planner: each kind of request becomes the expected valid plan.
@Suite struct PlannerTests {
    let planner = OfflinePlanner()

    /// Plans `request` and checks the plan keeps the tool contract.
    func plan(_ request: String, context: PlanningContext? = nil) throws -> Plan {
        let plan = try planner.plan(request: request, context: context)
        #expect(PlannerContract.problems(plan) == [], "\(request)")
        return plan
    }

    @Test func openIncidentsArePostedToTheChannel() throws {
        let plan = try plan("summarise the open incidents and post them to #ops")
        #expect(plan.steps.map(\.tool) == ["sql.query", "slack.post"])
        let sql = try #require(plan.steps[0].input["sql"]?.stringValue)
        #expect(sql.hasPrefix("SELECT id, title, severity, status, opened_at FROM incidents WHERE status = 'open'"))
        #expect(plan.steps[1].input == [
            "channel": "#ops", "text": "Open incidents:\n{{steps.incidents.output.text}}",
        ])
        #expect(plan.steps[1].dependsOn == ["incidents"])
        #expect(plan.steps.allSatisfy { $0.risk == .low })
    }

    @Test func priceCheckReadsThePriceSelector() throws {
        let plan = try plan("check the price on https://shop.example.com/item/42.")
        #expect(plan.steps.count == 1)
        #expect(plan.steps[0].specialist == .browser)
        #expect(plan.steps[0].input == [
            "url": "https://shop.example.com/item/42", "selector": .string(OfflinePlanner.priceSelector),
        ])
    }

    @Test func priceCheckOpensALocalPage() throws {
        let plan = try plan("check the price on file:///srv/demo/product.html.")
        #expect(plan.steps.map(\.tool) == ["browser.open"])
        #expect(plan.steps[0].input["url"] == "file:///srv/demo/product.html")
        // Only absolute local paths count as addresses.
        #expect(RequestText.fileURL(in: "file:///") == nil)
        #expect(RequestText.fileURL(in: "<file:///a/b.html|page>") == "file:///a/b.html")
    }

    @Test func priceCheckCanBeReported() throws {
        let plan = try plan("Check the price on <https://shop.example.com/item|the shop> and post it to #deals")
        #expect(plan.steps.map(\.tool) == ["browser.open", "slack.post"])
        #expect(plan.steps[1].input["text"] == "Price on https://shop.example.com/item: {{steps.price.output.text}}")
    }

    @Test(arguments: [
        ("run this script: echo hello", "shell.run", "script", "echo hello"),
        ("run this python script:\nprint(1)\nprint(2)", "python.run", "code", "print(1)\nprint(2)"),
        ("run this:\n```python\nprint('hi')\n```", "python.run", "code", "print('hi')"),
        ("```bash\nls -la\n```", "shell.run", "script", "ls -la"),
        ("run `uname -a`", "shell.run", "script", "uname -a"),
        ("execute:\n#!/usr/bin/env python3\nimport sys", "python.run", "code", "#!/usr/bin/env python3\nimport sys"),
        ("run this script:\nimport json\nprint(json.dumps({}))", "python.run", "code", "import json\nprint(json.dumps({}))"),
    ])
    func scriptsRunAsHighRiskCodeSteps(request: String, tool: String, key: String, code: String) throws {
        let plan = try plan(request)
        #expect(plan.steps.count == 1)
        #expect(plan.steps[0].tool == tool)
        #expect(plan.steps[0].input[key]?.stringValue == code)
        #expect(plan.steps[0].risk == .high)
        #expect(plan.steps[0].limits.maxAttempts == 1)
    }

    @Test func scriptOutputCanBePosted() throws {
        let plan = try plan("run this and post the output to #builds\n```sh\nmake test\n```")
        #expect(plan.steps.map(\.tool) == ["shell.run", "slack.post"])
        #expect(plan.steps[1].input["text"] == "Output of the shell script:\n{{steps.script.output.stdout}}")
    }

    @Test func unsupportedLanguageIsAClearError() {
        let error = #expect(throws: PlannerError.self) { try planner.plan(request: "run ```ruby\nputs 1\n```") }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("Python and shell") == true)
    }

    @Test func weeklyReportIsEmailedAfterApproval() throws {
        let plan = try plan("email the weekly report to lead@example.com")
        #expect(plan.steps.map(\.tool) == ["sql.query", "email.send"])
        #expect(plan.steps[0].input["sql"]?.stringValue?.contains("opened_at >= now() - interval '7 days'") == true)
        #expect(plan.steps[0].risk == .low)
        let email = plan.steps[1]
        #expect(email.risk == .high)
        #expect(email.input["to"] == "lead@example.com")
        #expect(email.input["subject"] == "Weekly incident report")
        #expect(email.input["body"] == "Weekly incident report:\n{{steps.incidents.output.text}}")
    }

    @Test(arguments: [
        ("post Deploy finished to #ops", "#ops", "Deploy finished"),
        ("post to #ops: the deploy is done", "#ops", "the deploy is done"),
        ("post \"0 incidents open, all good\" to #ops", "#ops", "0 incidents open, all good"),
        ("tell #release-train the build is green", "#release-train", "the build is green"),
        ("say hello world in #General", "#general", "hello world"),
        ("post to <#C0123ABC|ops> saying rollback complete", "C0123ABC", "rollback complete"),
    ])
    func messagesArePostedAsWritten(request: String, channel: String, text: String) throws {
        let plan = try plan(request)
        #expect(plan.steps.map(\.tool) == ["slack.post"])
        #expect(plan.steps[0].input == ["channel": .string(channel), "text": .string(text)])
    }

    @Test(arguments: [
        ("comment on JIRA-123: Fixed in 1.4.2", "JIRA-123", "Fixed in 1.4.2"),
        ("add a comment to OPS-7 saying the runbook is updated", "OPS-7", "the runbook is updated"),
        ("comment on OPS-42 looks good to me", "OPS-42", "looks good to me"),
    ])
    func jiraCommentsAreWritten(request: String, issue: String, body: String) throws {
        let plan = try plan(request)
        #expect(plan.steps.map(\.tool) == ["jira.comment"])
        #expect(plan.steps[0].input == ["issue": .string(issue), "body": .string(body)])
    }

    @Test func literalEmailIsHighRisk() throws {
        let plan = try plan("email ana@example.com: lunch moves to 1pm")
        #expect(plan.steps.map(\.tool) == ["email.send"])
        #expect(plan.steps[0].input == ["to": "ana@example.com", "subject": "lunch moves to 1pm", "body": "lunch moves to 1pm"])
        #expect(plan.steps[0].risk == .high)
    }

    @Test(arguments: [
        ("open https://example.com/status", nil as String?),
        ("https://example.com/status", nil),
        ("read https://example.com/status selector h1", "h1"),
    ])
    func pagesAreOpened(request: String, selector: String?) throws {
        let plan = try plan(request)
        #expect(plan.steps.map(\.tool) == ["browser.open"])
        #expect(plan.steps[0].input["url"] == "https://example.com/status")
        #expect(plan.steps[0].input["selector"]?.stringValue == selector)
    }

    @Test(arguments: [
        ("query: SELECT count(*) FROM incidents", "SELECT count(*) FROM incidents", nil as String?),
        ("sql: select 1", "select 1", nil),
        ("query on warehouse: SELECT * FROM orders", "SELECT * FROM orders", "warehouse"),
        ("SELECT title FROM incidents WHERE severity = 'high'", "SELECT title FROM incidents WHERE severity = 'high'", nil),
        ("run this query: ```sql\nSELECT 1\n```", "SELECT 1", nil),
    ])
    func queriesRunAsWritten(request: String, sql: String, source: String?) throws {
        let plan = try plan(request)
        #expect(plan.steps.map(\.tool) == ["sql.query"])
        #expect(plan.steps[0].input["sql"]?.stringValue == sql)
        #expect(plan.steps[0].input["source"]?.stringValue == source)
    }

    @Test func writingQueriesAreRefused() {
        let error = #expect(throws: PlannerError.self) { try planner.plan(request: "query: DELETE FROM incidents") }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("DELETE") == true)
    }

    @Test(arguments: [
        ("how many critical incidents are open?", "SELECT count(*) AS incidents FROM incidents WHERE status = 'open' AND lower(severity::text) IN ('critical')"),
        ("list incidents from the last 3 days", "opened_at >= now() - interval '3 days'"),
        ("open incidents by severity", "GROUP BY severity"),
        ("show the resolved incidents", "status IN ('closed', 'resolved')"),
    ])
    func incidentQuestionsBecomeQueries(request: String, expected: String) throws {
        let plan = try plan(request)
        #expect(plan.steps.map(\.tool) == ["sql.query"])
        #expect(plan.steps[0].input["sql"]?.stringValue?.contains(expected) == true)
    }

    @Test func courtesiesAreIgnored() throws {
        let polite = try plan("<@U024BE7LH> please can you summarise the open incidents?")
        let plain = try plan("summarise the open incidents")
        #expect(polite == plain)
    }

    @Test func severalDestinationsGetOneStepEach() throws {
        let plan = try plan("summarise the open incidents, post them to #ops and #sre and email them to oncall@example.com")
        #expect(plan.steps.map(\.id) == ["incidents", "post", "post-2", "email"])
        #expect(plan.steps.dropFirst().allSatisfy { $0.dependsOn == ["incidents"] })
    }

    @Test func pageTextCanBePosted() throws {
        let plan = try plan("open https://example.com/status and post it to #news")
        #expect(plan.steps.map(\.tool) == ["browser.open", "slack.post"])
        #expect(plan.steps[1].input["text"]
            == "Text of https://example.com/status:\n{{steps.page.output.title}}\n{{steps.page.output.text}}")
    }

    @Test(arguments: ["post {{steps.x.output.text}} to #ops", "run this script: echo {{ steps.secret.output }}"])
    func templatesInTheRequestAreRefused(request: String) {
        let error = #expect(throws: PlannerError.self) { try planner.plan(request: request) }
        #expect(error?.code == .unsupported)
    }

    @Test func helpQuotesTheRequestWithoutTemplates() throws {
        let context = PlanningContext(source: .slack, sourceReference: SourceReference(slackChannel: "C1"))
        let plan = try plan("hello {{steps.x.output}}", context: context)
        let text = try #require(plan.steps.first?.input["text"]?.stringValue)
        #expect(text.contains("“hello { {steps.x.output}}”"))
    }

    @Test func severalRecipientsGetOneEmail() throws {
        let plan = try plan("email the open incidents to ana@example.com and bo@example.com")
        #expect(plan.steps.map(\.tool) == ["sql.query", "email.send"])
        #expect(plan.steps[1].input["to"] == "ana@example.com, bo@example.com")
        #expect(plan.steps[1].input["subject"] == "Open incidents")
    }

    @Test func unknownRequestIsAClearErrorWithoutASource() {
        let error = #expect(throws: PlannerError.self) { try planner.plan(request: "book me a flight to Lisbon") }
        #expect(error?.code == .notUnderstood)
        #expect(error?.message.contains("book me a flight to Lisbon") == true)
        #expect(error?.message.contains("summarise the open incidents and post them to #ops") == true)
    }

    @Test func unknownRequestFromSlackGetsAHelpReplyInTheThread() throws {
        let context = PlanningContext(
            source: .slack, sourceReference: SourceReference(slackChannel: "C0123", slackThreadTs: "1718000000.000100"))
        let plan = try plan("book me a flight to Lisbon", context: context)
        #expect(plan.steps.map(\.tool) == ["slack.post"])
        #expect(plan.steps[0].input["channel"] == "C0123")
        #expect(plan.steps[0].input["threadTs"] == "1718000000.000100")
        #expect(plan.steps[0].input["text"]?.stringValue?.contains("understands") == true)
        #expect(plan.steps[0].risk == .low)
    }

    @Test func unknownRequestFromEmailIsAnErrorRatherThanAnApproval() {
        let context = PlanningContext(source: .email, sourceReference: SourceReference(emailFrom: "a@example.com"))
        #expect(throws: PlannerError.self) { try planner.plan(request: "book me a flight", context: context) }
    }

    @Test func hereMeansTheSource() throws {
        let context = PlanningContext(source: .jira, sourceReference: SourceReference(jiraIssueKey: "OPS-9"))
        let plan = try plan("summarise the open incidents and post them here", context: context)
        #expect(plan.steps.map(\.tool) == ["sql.query", "jira.comment"])
        #expect(plan.steps[1].input["issue"] == "OPS-9")
    }

    @Test func emptyAndOverlongRequestsAreErrors() {
        #expect(throws: PlannerError(.noRequest, "the request is empty")) { try planner.plan(request: "  \n ") }
        let long = String(repeating: "a", count: OfflinePlanner.maximumRequestLength + 1)
        let error = #expect(throws: PlannerError.self) { try planner.plan(request: long) }
        #expect(error?.code == .requestTooLong)
    }

    @Test func anEmailsRequestIsFoundAmongItsParagraphs() throws {
        let email = "Weekly report, please\n\nHi Agentry,\n\nemail the weekly report\nto lead@example.com\n\nThanks,\nDana"
        let plan = try planner.plan(for: [.user(email)])
        #expect(plan.steps.map(\.tool) == ["sql.query", "email.send"])
        #expect(plan.steps[1].input["to"] == "lead@example.com")
        // A message the planner understands whole is not cut up; one without paragraphs has none.
        #expect(OfflinePlanner.paragraphs(of: "post hello to #ops") == [])
        #expect(OfflinePlanner.paragraphs(of: "a\n \nb\nc\n\n") == ["a", "b c"])
        // Nothing understood anywhere: the error is about the whole message.
        #expect(throws: PlannerError.self) { try planner.plan(for: [.user("Hello\n\nHow are you?")]) }
    }

    @Test func requestComesFromTheLastUserMessage() throws {
        let context = PlanningContext(source: .slack, sourceReference: SourceReference(slackChannel: "C9"))
        let contextJSON = String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
        let messages: [ChatMessage] = [
            .system("You are Agentry's planner."),
            .user("post hello to #old"),
            .assistant("..."),
            .user("summarise the open incidents and post them here"),
            ChatMessage(role: .system, content: contextJSON, name: PlanningContext.messageName),
        ]
        let plan = try planner.plan(for: messages)
        #expect(plan.steps.map(\.tool) == ["sql.query", "slack.post"])
        #expect(plan.steps[1].input["channel"] == "C9")
        #expect(throws: PlannerError.self) { try planner.plan(for: [.system("only instructions")]) }
    }
}
