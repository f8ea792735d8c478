import AgentryContracts

/// The body of `POST /v1/approvals/{id}`:
/// `{"decision": "approved" | "rejected", "decidedBy": "...", "comment"?: "...", "editedPlan"?: {"steps": [...]}}`.
struct ApprovalDecision: Decodable, Sendable {
    var decision: String
    var decidedBy: String
    var comment: String?
    /// With `approved`: the plan to continue with instead of the current one (see ``Plan/conflicts(keeping:)``).
    var editedPlan: Plan?

    /// The decision after checking every field.
    ///
    /// - Throws: ``APIError`` 400 `invalid_request` naming the field at fault.
    func validated() throws(APIError) -> (decision: ApprovalDecided.Decision, decidedBy: String, comment: String?) {
        guard let decision = ApprovalDecided.Decision(rawValue: decision) else {
            throw .invalidRequest("decision must be \"approved\" or \"rejected\"")
        }
        let decidedBy = self.decidedBy.trimmingWhitespace()
        guard !decidedBy.isEmpty, decidedBy.count <= 256 else {
            throw .invalidRequest("decidedBy must be 1 to 256 characters")
        }
        if let comment, comment.count > 4_000 {
            throw .invalidRequest("comment must be at most 4000 characters")
        }
        if let editedPlan {
            guard decision == .approved else { throw .invalidRequest("editedPlan goes only with the decision \"approved\"") }
            let problems = editedPlan.validate()
            guard problems.isEmpty else {
                throw APIError(
                    .badRequest, code: "invalid_plan",
                    "the edited plan cannot run: " + problems.map(\.description).joined(separator: "; "))
            }
        }
        return (decision, decidedBy, comment)
    }
}
