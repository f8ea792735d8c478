import AgentryContracts
import Foundation
import Testing

@testable import AgentryIngest

/// `POST /v1/runs/{id}/cancel | pause | resume`: what it publishes and what it refuses.
@Suite struct IngestRunControlTests {
    static func run(status: String) -> RunDetail {
        var run = IngestAPITests.run()
        run.status = status
        return run
    }

    @Test(arguments: [("cancel", "running"), ("pause", "running"), ("pause", "waiting_for_approval"), ("resume", "paused"),
                      ("cancel", "paused")])
    func anApplicableActionIsPublishedForTheDirector(action: String, status: String) async throws {
        let harness = IngestHarness()
        let run = Self.run(status: status)
        harness.store.add(run)
        let answer = await harness.api.controlRun(
            id: run.id, action: action, IngestHarness.json(#"{"reason":"deploy freeze","requestedBy":"ana"}"#))
        #expect(answer.status == .accepted)
        #expect(try answer.decode(RunControlAccepted.self) == RunControlAccepted(runId: run.id, action: action, status: status))
        let envelope = try #require(harness.facts.first)
        #expect(harness.facts.count == 1)
        #expect(envelope.runId?.wireString == run.id)
        #expect(envelope.tenant == "acme")
        #expect(envelope.payload == .runControl(RunControl(
            action: RunControl.Action(rawValue: action)!, reason: "deploy freeze", requestedBy: "ana")))
    }

    @Test func theBodyIsOptional() async throws {
        let harness = IngestHarness()
        let run = Self.run(status: "running")
        harness.store.add(run)
        let answer = await harness.api.controlRun(id: run.id, action: "cancel", APIRequest())
        #expect(answer.status == .accepted)
        #expect(harness.facts.first?.payload == .runControl(RunControl(action: .cancel)))
    }

    @Test(arguments: [("cancel", "completed"), ("cancel", "rejected"), ("pause", "paused"), ("pause", "failed"),
                      ("resume", "running"), ("resume", "cancelled")])
    func anActionThatDoesNotApplyIs409(action: String, status: String) async throws {
        let harness = IngestHarness()
        let run = Self.run(status: status)
        harness.store.add(run)
        let answer = await harness.api.controlRun(id: run.id, action: action, APIRequest())
        #expect(answer.status == .conflict)
        #expect(answer.errorCode == "run_state_conflict")
        #expect(harness.facts.isEmpty)
    }

    @Test func unknownRunsActionsAndBadBodiesAreRefused() async throws {
        let harness = IngestHarness()
        let run = Self.run(status: "running")
        harness.store.add(run)
        #expect(await harness.api.controlRun(id: UUID().wireString, action: "cancel", APIRequest()).status == .notFound)
        #expect(await harness.api.controlRun(id: run.id, action: "explode", APIRequest()).status == .notFound)
        #expect(await harness.api.controlRun(id: "42", action: "cancel", APIRequest()).status == .badRequest)
        #expect(await harness.api.controlRun(id: run.id, action: "cancel", IngestHarness.json("{oops")).status == .badRequest)
        let text = APIRequest(headers: ["Content-Type": "text/plain"], body: Array("stop".utf8))
        #expect(await harness.api.controlRun(id: run.id, action: "cancel", text).status == .unsupportedMediaType)
        #expect(harness.facts.isEmpty)
    }
}
