import AgentryChannels
@testable import AgentryCommWorker
import AgentryContracts
import AgentryRuntime
import Foundation
import Logging
import Testing

@Suite struct CommToolTests {
    private let runId = UUID()

    private func request(_ tool: String, _ input: JSONValue, key: String = "run-1/post") -> ToolRequest {
        let item = WorkItem(stepId: "post", specialist: .comm, tool: tool, input: input, idempotencyKey: key, risk: .low)
        let envelope = Envelope(tenant: "acme", runId: runId, stepId: "post", payload: .workItem(item))
        return ToolRequest(input: input, item: item, envelope: envelope, logger: Logger(label: "comm-tests"))
    }

    private func failure(_ body: () async throws -> Void) async -> ToolFailure? {
        do {
            try await body()
            return nil
        } catch let failure as ToolFailure {
            return failure
        } catch {
            return nil
        }
    }

    @Test func slackPostDeliversUnderTheWorkItemsKey() async throws {
        let deliverer = RecordingDeliverer()
        let output = try await SlackPostTool(deliverer: deliverer).run(
            request("slack.post", ["channel": "#ops", "text": "3 open incidents", "threadTs": "1718000000.000100"],
                    key: "key-42"))
        let call = try #require(deliverer.calls.first)
        #expect(deliverer.calls.count == 1)
        #expect(call.key == "key-42")
        #expect(call.context == .step(runId: runId, stepId: "post"))
        #expect(call.message == .slack(SlackMessage(channel: "#ops", text: "3 open incidents", threadTs: "1718000000.000100")))
        #expect(output["channel"] == "slack")
        #expect(output["status"] == "delivered")
        #expect(output["target"] == "#ops/1718000000.000100")
        #expect(output["deliveryId"]?.stringValue.flatMap(UUID.init(uuidString:)) != nil)
        #expect(output.objectValue?.keys.sorted() == ["channel", "deliveryId", "status", "target"])
    }

    @Test func emailSendAcceptsAListOrAnArray() async throws {
        let deliverer = RecordingDeliverer()
        let tool = EmailSendTool(deliverer: deliverer)
        _ = try await tool.run(request("email.send", [
            "to": "ana@example.com, bo@example.com; cy@example.com", "subject": "Weekly\nreport", "body": "Attached.",
        ]))
        _ = try await tool.run(request("email.send", ["to": ["ana@example.com"], "subject": "Hi", "body": "x"]))
        let messages = deliverer.calls.map(\.message)
        #expect(messages.first == .email(EmailMessage(
            to: ["ana@example.com", "bo@example.com", "cy@example.com"], subject: "Weekly report", body: "Attached.")))
        #expect(messages.last == .email(EmailMessage(to: ["ana@example.com"], subject: "Hi", body: "x")))
    }

    @Test func jiraCommentDelivers() async throws {
        let deliverer = RecordingDeliverer()
        let output = try await JiraCommentTool(deliverer: deliverer).run(
            request("jira.comment", ["issue": "OPS-1234", "body": "Fixed."]))
        #expect(deliverer.calls.first?.message == .jira(JiraComment(issue: "OPS-1234", body: "Fixed.")))
        #expect(output["channel"] == "jira")
        #expect(output["target"] == "OPS-1234")
    }

    static let invalidInputs: [(tool: String, input: JSONValue)] = [
        ("slack.post", ["text": "x"]),
        ("slack.post", ["channel": "", "text": "x"]),
        ("slack.post", ["channel": "ops room", "text": "x"]),
        ("slack.post", ["channel": "C1", "text": ""]),
        ("slack.post", ["channel": "C1", "text": 3]),
        ("slack.post", ["channel": "C1", "text": "x", "threadTs": "yesterday"]),
        ("email.send", ["to": "not-an-address", "subject": "s", "body": "b"]),
        ("email.send", ["to": [1], "subject": "s", "body": "b"]),
        ("email.send", ["to": " , ", "subject": "s", "body": "b"]),
        ("email.send", ["to": "a@example.com", "subject": "\n", "body": "b"]),
        ("email.send", ["to": "a@example.com", "subject": "s"]),
        ("jira.comment", ["issue": "../../admin", "body": "b"]),
        ("jira.comment", ["issue": "OPS-1"]),
    ]

    @Test(arguments: invalidInputs)
    func invalidInputIsANonRetryableFailure(tool: String, input: JSONValue) async {
        let deliverer = RecordingDeliverer()
        let tools = Dictionary(uniqueKeysWithValues: CommWorker.tools(deliverer: deliverer).map { ($0.name, $0) })
        let failure = await failure { _ = try await tools[tool]!.run(request(tool, input)) }
        #expect(failure?.code == "invalid_input")
        #expect(failure?.retryable == false)
        #expect(deliverer.calls.isEmpty)
    }

    @Test func channelErrorsBecomeToolFailuresWithTheirRetryability() async {
        let deliverer = RecordingDeliverer()
        deliverer.failNext(
            ChannelError(.notFound, channel: .slack, "Slack answered channel_not_found"),
            ChannelError(.rateLimited, channel: .slack, "Slack answered ratelimited", retryAfter: .seconds(3)))
        let tool = SlackPostTool(deliverer: deliverer)
        let input: JSONValue = ["channel": "C404", "text": "x"]
        let permanent = await failure { _ = try await tool.run(request("slack.post", input)) }
        #expect(permanent?.code == "not_found")
        #expect(permanent?.retryable == false)
        #expect(permanent?.message.contains("channel_not_found") == true)
        let transient = await failure { _ = try await tool.run(request("slack.post", input)) }
        #expect(transient?.code == "rate_limited")
        #expect(transient?.retryable == true)
    }

    @Test func theWorkerHasTheThreeTools() {
        #expect(CommWorker.tools(deliverer: RecordingDeliverer()).map(\.name).sorted()
            == ["email.send", "jira.comment", "slack.post"])
    }
}
