import AgentryContracts
import Foundation

/// Which approvals `GET /v1/approvals` lists.
struct ApprovalFilter: Sendable, Equatable {
    /// Most approvals returned.
    var limit: Int
    /// Only approvals in this status (`pending` by default).
    var status: String?
    /// Only approvals of this tenant's runs.
    var tenant: String?
}

/// One approval as `GET /v1/approvals` lists it, with the run it belongs to.
struct ApprovalSummary: Codable, Sendable, Equatable {
    var id: String
    var runId: String
    var tenant: String
    var request: String
    var stepId: String?
    var kind: String
    var status: String
    var approverRoles: [String]
    var decidedBy: String?
    var deadline: Date?
    var createdAt: Date
    var decidedAt: Date?
}

/// One entry of a run's audit trail, as `GET /v1/runs/{id}/audit` shows it.
struct AuditEntryView: Codable, Sendable, Equatable {
    var sequence: Int
    var envelopeId: String
    var occurredAt: Date
    var actor: String
    var action: String
    var payload: JSONValue
    var hash: String
    var previousHash: String?
}

