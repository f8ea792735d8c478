import AgentryContracts
import Foundation

extension IngestAPI {
    /// Approval statuses `GET /v1/approvals?status=` accepts.
    static let approvalStatuses: Set<String> = ["pending", "approved", "rejected", "expired"]

    /// `GET /v1/approvals?status=&tenant=&limit=`: approvals with their runs, oldest first;
    /// pending ones unless `status` says otherwise (50 by default, at most 500).
    func listApprovals(
        limit: String?, status: String?, tenant: String?, principal: APIPrincipal = .unrestricted
    ) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            var filter = ApprovalFilter(limit: try Self.limit(limit), status: "pending", tenant: nil)
            if let status {
                guard status == "all" || Self.approvalStatuses.contains(status) else {
                    throw .invalidRequest(
                        "status must be one of \(Self.approvalStatuses.sorted().joined(separator: ", ")) or all")
                }
                filter.status = status == "all" ? nil : status
            }
            if let tenant {
                guard Tenant.isValid(tenant) else { throw .invalidRequest("tenant: \(Tenant.rule)") }
                filter.tenant = tenant
            }
            filter.tenant = try Self.scope(filter.tenant, to: principal)
            let approvals = try await read { try await store.approvals(matching: filter) }
            return .json(.ok, ApprovalList(approvals: approvals))
        }
    }

    /// `GET /v1/runs/{id}/audit?after=&limit=`: the run's audit entries in chain order (500 by
    /// default, at most 5,000), after sequence `after` for the next page.
    func runAudit(id text: String, after: String?, limit: String?, principal: APIPrincipal = .unrestricted) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            let id = try Self.id(text, of: "run")
            let limit = try Self.limit(limit, default: 500, maximum: 5_000)
            var start = 0
            if let after {
                guard let value = Int(after), value >= 0 else { throw .invalidRequest("after must be a sequence number (0 or more)") }
                start = value
            }
            guard let run = try await read({ try await store.run(id: id) }), principal.covers(run.tenant) else {
                throw .notFound("there is no run \(id.wireString)")
            }
            let entries = try await read { try await store.audit(runId: id, after: start, limit: limit) }
            return .json(.ok, AuditTrail(
                runId: id.wireString, entries: entries, next: entries.count == limit ? entries.last?.sequence : nil))
        }
    }

    /// The tenant a listing is limited to: a tenant's key sees only its own (403 when it asks for another).
    static func scope(_ tenant: String?, to principal: APIPrincipal) throws(APIError) -> String? {
        guard let own = principal.tenant else { return tenant }
        try require(principal, covers: tenant ?? own)
        return own
    }

    /// 403 unless `principal` may act for `tenant`.
    static func require(_ principal: APIPrincipal, covers tenant: String) throws(APIError) {
        guard principal.covers(tenant) else {
            throw APIError(.forbidden, code: "forbidden", "this API key is for tenant \(principal.tenant ?? ""), not \(tenant)")
        }
    }

    /// A `limit` query parameter: `fallback` when absent, else a whole number within 1...`maximum`.
    static func limit(_ text: String?, default fallback: Int = 50, maximum: Int = 500) throws(APIError) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw .invalidRequest("limit must be a whole number from 1 to \(maximum)")
        }
        return value
    }
}

/// The answer to `GET /v1/approvals`.
struct ApprovalList: Codable, Sendable, Equatable {
    var approvals: [ApprovalSummary]
}

/// The answer to `GET /v1/runs/{id}/audit`; `next` is the `after` of the next page, if any.
struct AuditTrail: Codable, Sendable, Equatable {
    var runId: String
    var entries: [AuditEntryView]
    var next: Int?
}
