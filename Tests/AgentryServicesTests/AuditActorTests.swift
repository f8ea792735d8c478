import AgentryAudit
import AgentryContracts
import Foundation
import Testing

/// Who the audit log records as the actor of each envelope type.
@Suite struct AuditActorTests {
    static let runId = UUID()

    static func envelope(_ payload: EnvelopePayload, stepId: String? = nil) -> Envelope {
        Envelope(tenant: "acme", runId: runId, stepId: stepId, payload: payload)
    }

    static let item = WorkItem(
        stepId: "fetch", specialist: .data, tool: "sql.query", input: ["sql": "select 1"], idempotencyKey: "k",
        risk: .low)

    @Test(arguments: [
        (EnvelopePayload.runRequested(RunRequested(request: "hi", source: .slack)), "ingest"),
        (.runControl(RunControl(action: .cancel)), "ingest"),
        (.runPlanned(RunPlanned(plan: Plan(steps: [])) ), "director"),
        (.runCompleted(RunCompleted(status: .completed, summary: "done")), "director"),
        (.runFailed(RunFailed(reason: "no")), "director"),
        (.workItem(item), "director"),
        (.approvalRequested(ApprovalRequested(kind: .step, stepId: "send", summary: "send mail", risk: .high,
                                              approverRoles: ["approver"])), "director"),
        (.modelRequest(ModelRequest(alias: "planner", messages: [])), "director"),
        (.modelReply(ModelReply(content: "{}")), "model-gateway"),
    ])
    func servicesAreNamedAfterWhatTheyPublish(_ payload: EnvelopePayload, _ actor: String) {
        #expect(AuditActor.actor(for: Self.envelope(payload)) == actor)
        #expect(!AuditActor.needsSpecialist(Self.envelope(payload)))
    }

    @Test(arguments: Specialist.allCases)
    func stepResultsNameTheWorkerOfTheStepsSpecialist(_ specialist: Specialist) {
        let completed = Self.envelope(.stepCompleted(StepCompleted(output: [:], durationMs: 3, idempotencyKey: "k")),
                                      stepId: "fetch")
        let failed = Self.envelope(.stepFailed(StepFailed(error: "x", code: "timeout", retryable: true)), stepId: "fetch")
        #expect(AuditActor.needsSpecialist(completed))
        #expect(AuditActor.needsSpecialist(failed))
        #expect(AuditActor.actor(for: completed, specialist: specialist) == "\(specialist.rawValue)-worker")
        #expect(AuditActor.actor(for: failed, specialist: specialist) == "\(specialist.rawValue)-worker")
    }

    @Test func aStepResultOfAnUnknownStepNamesAWorker() {
        let completed = Self.envelope(.stepCompleted(StepCompleted(output: [:], durationMs: 3, idempotencyKey: "k")))
        #expect(!AuditActor.needsSpecialist(completed))  // no step id: nothing to look up
        #expect(AuditActor.actor(for: completed) == "worker")
    }

    @Test func decisionsNameTheApprover() {
        let decided = Self.envelope(.approvalDecided(ApprovalDecided(
            approvalId: UUID(), decision: .approved, decidedBy: "  alice@example.com ", via: .api)))
        #expect(AuditActor.actor(for: decided) == "alice@example.com")
        let anonymous = Self.envelope(.approvalDecided(ApprovalDecided(
            approvalId: UUID(), decision: .rejected, decidedBy: "", via: .queue)))
        #expect(AuditActor.actor(for: anonymous) == "approver")
    }
}
