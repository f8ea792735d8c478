import Foundation

/// `approval.requested`: a step or a whole plan waits for a person's decision.
///
/// Routed to the director's inbox, the notifier (Slack buttons, email) and `approvals.pending`.
public struct ApprovalRequested: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.approvalRequested
    public static let version = 1

    /// What needs approving.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// One high-risk step, before it is dispatched.
        case step
        /// A whole plan, before any step is dispatched.
        case plan
    }

    /// Identifies the approval; the decision refers to it.
    public var approvalId: UUID
    /// A step or a plan.
    public var kind: Kind
    /// The step waiting, when `kind` is `step`.
    public var stepId: String?
    /// What will happen if approved, for the approver.
    public var summary: String
    /// The risk class that asked for approval.
    public var risk: RiskClass
    /// Roles allowed to decide, e.g. `["approver", "admin"]`.
    public var approverRoles: [String]
    /// When the request expires (the run then fails); `nil` means no deadline.
    public var deadline: Date?
    /// The plan to approve, when `kind` is `plan` (approvers may return an edited copy).
    public var plan: Plan?

    public init(
        approvalId: UUID = UUID(),
        kind: Kind,
        stepId: String? = nil,
        summary: String,
        risk: RiskClass,
        approverRoles: [String],
        deadline: Date? = nil,
        plan: Plan? = nil
    ) {
        self.approvalId = approvalId
        self.kind = kind
        self.stepId = stepId
        self.summary = summary
        self.risk = risk
        self.approverRoles = approverRoles
        self.deadline = deadline
        self.plan = plan
    }

    private enum CodingKeys: String, CodingKey {
        case approvalId, kind, stepId, summary, risk, approverRoles, deadline, plan
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(approvalId.wireString, forKey: .approvalId)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(stepId, forKey: .stepId)
        try container.encode(summary, forKey: .summary)
        try container.encode(risk, forKey: .risk)
        try container.encode(approverRoles, forKey: .approverRoles)
        try container.encodeIfPresent(deadline, forKey: .deadline)
        try container.encodeIfPresent(plan, forKey: .plan)
    }
}
