import AgentryContracts
import Foundation
import Testing

@testable import AgentryIngest

/// `GET /v1/approvals` and `GET /v1/runs/{id}/audit`.
@Suite struct IngestListingTests {
    static func approval(_ status: String, tenant: String = "acme") -> ApprovalSummary {
        ApprovalSummary(
            id: UUID().wireString, runId: UUID().wireString, tenant: tenant, request: "email the report", stepId: "email",
            kind: "step", status: status, approverRoles: ["approver"], decidedBy: nil, deadline: nil,
            createdAt: IngestHarness.now, decidedAt: nil)
    }

    @Test func pendingApprovalsAreListedByDefaultAndFiltersApply() async throws {
        let harness = IngestHarness()
        let pending = [Self.approval("pending"), Self.approval("pending", tenant: "globex")]
        harness.store.add(pending + [Self.approval("approved")])
        let all = try await harness.api.listApprovals(limit: nil, status: nil, tenant: nil).decode(ApprovalList.self)
        #expect(all.approvals == pending)
        let acme = try await harness.api.listApprovals(limit: nil, status: nil, tenant: "acme").decode(ApprovalList.self)
        #expect(acme.approvals == [pending[0]])
        let everything = try await harness.api.listApprovals(limit: "2", status: "all", tenant: nil).decode(ApprovalList.self)
        #expect(everything.approvals.count == 2)
        for (limit, status, tenant) in [("0", nil, nil), ("x", nil, nil), (nil, "maybe", nil), (nil, nil, "no spaces")] as [(String?, String?, String?)] {
            let answer = await harness.api.listApprovals(limit: limit, status: status, tenant: tenant)
            #expect(answer.status == .badRequest)
        }
    }

    @Test func aRunsAuditTrailIsPagedInChainOrder() async throws {
        let harness = IngestHarness()
        let run = IngestAPITests.run()
        harness.store.add(run)
        let runId = UUID(uuidString: run.id)!
        let entries = (1...3).map { sequence in
            AuditEntryView(
                sequence: sequence, envelopeId: UUID().wireString, occurredAt: IngestHarness.now, actor: "director",
                action: "run.planned", payload: ["n": .number(Double(sequence))], hash: "h\(sequence)",
                previousHash: sequence == 1 ? nil : "h\(sequence - 1)")
        }
        harness.store.add(audit: entries, of: runId)
        let first = try await harness.api.runAudit(id: run.id, after: nil, limit: "2").decode(AuditTrail.self)
        #expect(first.entries == Array(entries.prefix(2)))
        #expect(first.next == 2)
        let rest = try await harness.api.runAudit(id: run.id, after: "2", limit: "2").decode(AuditTrail.self)
        #expect(rest.entries == [entries[2]])
        #expect(rest.next == nil)
        #expect(await harness.api.runAudit(id: UUID().wireString, after: nil, limit: nil).status == .notFound)
        #expect(await harness.api.runAudit(id: run.id, after: "-1", limit: nil).status == .badRequest)
        #expect(await harness.api.runAudit(id: run.id, after: nil, limit: "5001").status == .badRequest)
    }
}
