import AgentryContracts
import Foundation

extension IngestAPI {
    /// `POST /v1/approvals/{id}`: checks that the approval exists (404) and is pending (409), then
    /// publishes `approval.decided` (via `api`) and answers 202 once the broker confirmed it.
    ///
    /// An approval may carry an edited plan: it must be valid (400 `invalid_plan`) and keep every
    /// step that has started as it is (409 `plan_conflict`); the director continues with it.
    func decideApproval(id text: String, _ request: APIRequest, principal: APIPrincipal = .unrestricted) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            let id = try Self.id(text, of: "approval")
            try request.requireJSON()
            let body = try APIJSON.decode(ApprovalDecision.self, from: request.body)
            let (decision, decidedBy, comment) = try body.validated()
            let approval = try await publishDecision(
                approvalId: id, decision: decision, decidedBy: decidedBy, comment: comment, editedPlan: body.editedPlan,
                via: .api, traceparent: request.header("traceparent"), principal: principal)
            return .json(.accepted, ApprovalAccepted(
                approvalId: id.wireString, runId: approval.runId.wireString, decision: decision.rawValue))
        }
    }
}

extension IngestAPI {
    /// Checks that the approval exists (404) and is pending (409), publishes `approval.decided`
    /// and returns once the broker confirmed it.
    func publishDecision(
        approvalId id: UUID, decision: ApprovalDecided.Decision, decidedBy: String, comment: String?,
        editedPlan: Plan? = nil, via: ApprovalDecided.Channel, traceparent: String?, principal: APIPrincipal = .unrestricted
    ) async throws(APIError) -> ApprovalTarget {
        guard let approval = try await read({ try await store.approval(id: id) }), principal.covers(approval.tenant) else {
            throw .notFound("there is no approval \(id.wireString)")
        }
        guard approval.status == "pending" else {
            throw APIError(
                .conflict, code: "approval_not_pending",
                "approval \(id.wireString) is \(approval.status), not pending; it cannot be decided again")
        }
        if let editedPlan {
            let steps = try await read { try await store.steps(ofRun: approval.runId) }
            let conflicts = editedPlan.conflicts(keeping: steps.compactMap(\.started))
            guard conflicts.isEmpty else {
                throw APIError(
                    .conflict, code: "plan_conflict",
                    "the edited plan changes what has already run: " + conflicts.joined(separator: "; "))
            }
        }
        let envelope = Envelope(
            tenant: approval.tenant, runId: approval.runId, stepId: approval.stepId,
            traceparent: TraceContext.traceparent(continuing: traceparent),
            payload: .approvalDecided(ApprovalDecided(
                approvalId: id, decision: decision, decidedBy: decidedBy, comment: comment, editedPlan: editedPlan,
                via: via)))
        try await confirm(envelope)
        metrics.approvalDecided(decision)
        logger.info("approval decided", metadata: [
            "approval.id": "\(id.wireString)", "run.id": "\(approval.runId.wireString)",
            "decision": "\(decision.rawValue)", "decided.by": "\(decidedBy)", "decided.via": "\(via.rawValue)",
        ])
        return approval
    }
}

/// The answer to `POST /v1/approvals/{id}`.
struct ApprovalAccepted: Codable, Sendable, Equatable {
    var approvalId: String
    var runId: String
    var decision: String
}
