import Foundation

/// An approval as `POST /v1/approvals/{id}` needs it.
struct ApprovalTarget: Sendable, Equatable {
    var id: UUID
    var runId: UUID
    var stepId: String?
    var tenant: String
    /// `pending`, `approved`, `rejected` or `expired`.
    var status: String
}
