import Foundation

/// One approval of a run, as `GET /v1/runs/{id}` shows it.
struct ApprovalView: Codable, Sendable, Equatable {
    var id: String
    var stepId: String?
    var kind: String
    var status: String
    var approverRoles: [String]
    var decidedBy: String?
    var comment: String?
    var deadline: Date?
    var createdAt: Date
    var decidedAt: Date?
}
