import Foundation

/// The outcome of ``AuditVerifier/verify(_:)``.
public struct AuditVerification: Sendable, Hashable {
    /// Which entries were checked.
    public var scope: AuditScope
    /// How many entries checked out (all of the scope when the chain is intact).
    public var entries: Int
    /// The hash of the last entry that checked out; `nil` when none did.
    public var head: String?
    /// The `seq` of that entry.
    public var headSeq: Int64?
    /// The first broken link, if any.
    public var firstBreak: AuditChainBreak?

    /// Creates an outcome.
    public init(scope: AuditScope, entries: Int, head: String?, headSeq: Int64?, firstBreak: AuditChainBreak?) {
        self.scope = scope
        self.entries = entries
        self.head = head
        self.headSeq = headSeq
        self.firstBreak = firstBreak
    }

    /// True when every entry in scope checked out.
    public var isIntact: Bool { firstBreak == nil }

    /// `audit chain verified: N entries, head <hash>`, or the first broken link.
    public var summary: String {
        if let firstBreak { return firstBreak.description }
        let noun = entries == 1 ? "entry" : "entries"
        return "audit chain verified: \(entries) \(noun), head \(head ?? "none")"
    }
}

/// Which audit entries to verify: the whole log, or one tenant's or one run's entries.
public struct AuditScope: Sendable, Hashable, CustomStringConvertible {
    /// Only entries of this tenant.
    public var tenant: String?
    /// Only entries of this run.
    public var runId: UUID?

    /// Creates a scope; with neither filter it is the whole log.
    public init(tenant: String? = nil, runId: UUID? = nil) {
        self.tenant = tenant
        self.runId = runId
    }

    /// The whole log.
    public static let all = AuditScope()

    /// True when no filter applies.
    public var isWholeLog: Bool { tenant == nil && runId == nil }

    public var description: String {
        var parts: [String] = []
        if let runId { parts.append("run \(runId.uuidString.lowercased())") }
        if let tenant { parts.append("tenant \(tenant)") }
        return parts.isEmpty ? "the whole log" : parts.joined(separator: ", ")
    }
}
