import AgentryContracts
import Foundation
import Testing

@testable import AgentryIngest

/// Slack's interactivity (the notifier's Approve / Reject buttons) and slash commands, signed like
/// Slack signs them, in the form encoding Slack posts.
@Suite struct IngestSlackInteractiveTests {
    @Test(arguments: [("agentry_approve", ApprovalDecided.Decision.approved), ("agentry_reject", .rejected)])
    func aButtonPressDecidesThePendingApprovalAsTheSlackUser(actionId: String, decision: ApprovalDecided.Decision) async throws {
        let harness = IngestHarness()
        let approval = ApprovalTarget(id: UUID(), runId: UUID(), stepId: "email", tenant: "acme", status: "pending")
        harness.store.add(approval)
        let answer = await harness.api.receiveSlackInteraction(IngestHarness.slackForm([
            ("payload", IngestHarness.blockActions(actionId: actionId, value: approval.id.wireString)),
        ]))
        #expect(answer.status == .ok)
        #expect(try answer.decode(SlackInteractionAnswer.self) == SlackInteractionAnswer(
            ok: true, approvalId: approval.id.wireString, decision: decision.rawValue))
        let envelope = try #require(harness.facts.first)
        #expect(harness.facts.count == 1)
        #expect(envelope.runId == approval.runId)
        #expect(envelope.payload == .approvalDecided(ApprovalDecided(
            approvalId: approval.id, decision: decision, decidedBy: "slack:U04ALICE", comment: "via Slack by @alice",
            via: .slack)))
    }

    @Test func aStaleButtonChangesNothingAndSaysWhy() async throws {
        let harness = IngestHarness()
        let decided = ApprovalTarget(id: UUID(), runId: UUID(), stepId: nil, tenant: "acme", status: "approved")
        harness.store.add(decided)
        for id in [decided.id, UUID()] {
            let answer = await harness.api.receiveSlackInteraction(IngestHarness.slackForm([
                ("payload", IngestHarness.blockActions(actionId: "agentry_reject", value: id.wireString)),
            ]))
            #expect(answer.status == .ok)
            let body = try answer.decode(SlackInteractionAnswer.self)
            #expect(body.ok == false)
            #expect(body.error?.isEmpty == false)
        }
        #expect(harness.facts.isEmpty)
    }

    @Test func otherInteractionsAreAcknowledgedWithoutEffect() async throws {
        let harness = IngestHarness()
        let other = await harness.api.receiveSlackInteraction(IngestHarness.slackForm([
            ("payload", IngestHarness.blockActions(actionId: "someone_elses_button", value: "x")),
        ]))
        #expect(try other.decode(SlackInteractionAnswer.self).ignored == "unknown_action")
        let shortcut = await harness.api.receiveSlackInteraction(IngestHarness.slackForm([
            ("payload", #"{"type":"shortcut","callback_id":"x","trigger_id":"1"}"#),
        ]))
        #expect(try shortcut.decode(SlackInteractionAnswer.self).ignored == "unsupported_interaction")
        #expect(harness.facts.isEmpty)
    }

    @Test func interactionsAreVerifiedBeforeTheyAreRead() async {
        let harness = IngestHarness()
        let approval = ApprovalTarget(id: UUID(), runId: UUID(), stepId: nil, tenant: "acme", status: "pending")
        harness.store.add(approval)
        let payload = ("payload", IngestHarness.blockActions(actionId: "agentry_approve", value: approval.id.wireString))
        let forged = await harness.api.receiveSlackInteraction(
            IngestHarness.slackForm([payload], signature: "v0=" + String(repeating: "0", count: 64)))
        #expect(forged.status == .unauthorized)
        let stale = await harness.api.receiveSlackInteraction(
            IngestHarness.slackForm([payload], timestamp: IngestHarness.now.addingTimeInterval(-301)))
        #expect(stale.status == .unauthorized)
        // Signed but malformed.
        for body in ["payload=%7Bnot-json", "nothing=here", "payload=%ZZ"] {
            let answer = await harness.api.receiveSlackInteraction(
                IngestHarness.slack(body, contentType: "application/x-www-form-urlencoded"))
            #expect(answer.status == .badRequest, "\(body)")
        }
        let json = await harness.api.receiveSlackInteraction(IngestHarness.slack(#"{"payload":"x"}"#))
        #expect(json.status == .unsupportedMediaType)
        #expect(harness.facts.isEmpty)
    }

    @Test func aSlashCommandStartsARunInItsChannelOnce() async throws {
        let harness = IngestHarness()
        let fields = [
            ("token", "legacy"), ("team_id", "T111"), ("team_domain", "acme"), ("channel_id", "C0OPS"),
            ("channel_name", "ops"), ("user_id", "U04ALICE"), ("user_name", "alice"), ("command", "/agentry"),
            ("text", "summarise the open incidents & post them to #ops"), ("api_app_id", "A1"),
            ("response_url", "https://hooks.slack.com/commands/T111/1/abc"), ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
        ]
        let answer = await harness.api.receiveSlackCommand(IngestHarness.slackForm(fields))
        #expect(answer.status == .ok)
        let body = try answer.decode(SlackCommandAnswer.self)
        #expect(body.responseType == "ephemeral")
        let envelope = try #require(harness.facts.first)
        #expect(body.runId == envelope.runId?.wireString)
        #expect(envelope.tenant == "acme")
        let run = try #require(envelope.payload.as(RunRequested.self))
        #expect(run.request == "summarise the open incidents & post them to #ops")
        #expect(run.source == .slack)
        #expect(run.requestedBy == "U04ALICE")
        #expect(run.sourceReference == SourceReference(slackTeam: "T111", slackChannel: "C0OPS", slackUser: "U04ALICE"))
        // Slack's retry of the same command is the same run.
        let again = await harness.api.receiveSlackCommand(IngestHarness.slackForm(fields))
        #expect(try again.decode(SlackCommandAnswer.self).runId == body.runId)
        // An empty command gets the usage and starts nothing.
        let empty = await harness.api.receiveSlackCommand(IngestHarness.slackForm(
            fields.map { $0.0 == "text" ? ($0.0, "  ") : $0 }))
        #expect(try empty.decode(SlackCommandAnswer.self).text.hasPrefix("Usage: /agentry"))
        #expect(harness.facts.count == 2)
        // Missing fields and forged signatures are refused.
        let partial = await harness.api.receiveSlackCommand(IngestHarness.slackForm(fields.filter { $0.0 != "channel_id" }))
        #expect(partial.status == .badRequest)
        let forged = await harness.api.receiveSlackCommand(IngestHarness.slackForm(fields, signature: "v0=00"))
        #expect(forged.status == .unauthorized)
        #expect(harness.facts.count == 2)
    }

    @Test func formDecodingFollowsTheEncodingSlackUses() throws {
        let fields = try FormURLEncoded.fields(Array("a=1+2&b=%26%3D%2B&a=ignored&c&d=caf%C3%A9".utf8))
        #expect(fields == ["a": "1 2", "b": "&=+", "c": "", "d": "café"])
        #expect(throws: APIError.self) { try FormURLEncoded.fields(Array("a=%E2%28".utf8)) }
        #expect(throws: APIError.self) { try FormURLEncoded.fields([0xFF, 0xFE]) }
    }
}
