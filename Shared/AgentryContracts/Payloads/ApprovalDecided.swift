import Foundation

/// `approval.decided`: a person approved or rejected. The REST API, Slack buttons and the
/// approval reply queue all produce this same envelope.
public struct ApprovalDecided: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.approvalDecided
    public static let version = 1

    /// The decision.
    public enum Decision: String, Codable, Sendable, CaseIterable {
        case approved
        case rejected
    }

    /// How the decision arrived.
    public enum Channel: String, Codable, Sendable, CaseIterable {
        /// The REST API.
        case api
        /// A Slack button.
        case slack
        /// The approval reply queue (an approver bot).
        case queue
        /// The `agentry approve` command.
        case cli
    }

    /// The ``ApprovalRequested/approvalId`` decided.
    public var approvalId: UUID
    /// Approved or rejected.
    public var decision: Decision
    /// Who decided (user id, email or API key name).
    public var decidedBy: String
    /// Why, in the approver's words.
    public var comment: String?
    /// For a plan approval: the plan as the approver edited it, to run instead of the original.
    public var editedPlan: Plan?
    /// How the decision arrived.
    public var via: Channel

    public init(
        approvalId: UUID,
        decision: Decision,
        decidedBy: String,
        comment: String? = nil,
        editedPlan: Plan? = nil,
        via: Channel
    ) {
        self.approvalId = approvalId
        self.decision = decision
        self.decidedBy = decidedBy
        self.comment = comment
        self.editedPlan = editedPlan
        self.via = via
    }

    private enum CodingKeys: String, CodingKey {
        case approvalId, decision, decidedBy, comment, editedPlan, via
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(approvalId.wireString, forKey: .approvalId)
        try container.encode(decision, forKey: .decision)
        try container.encode(decidedBy, forKey: .decidedBy)
        try container.encodeIfPresent(comment, forKey: .comment)
        try container.encodeIfPresent(editedPlan, forKey: .editedPlan)
        try container.encode(via, forKey: .via)
    }
}
