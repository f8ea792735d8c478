import Foundation

/// Which runs `GET /v1/runs` lists.
struct RunFilter: Sendable, Equatable {
    /// Most runs returned.
    var limit: Int
    /// Only runs in this status.
    var status: String?
    /// Only runs of this tenant.
    var tenant: String?
    /// Only runs from this source (`slack`, `jira`, `api`, ...).
    var source: String? = nil
    /// Only runs created at or after this time.
    var since: Date? = nil
    /// Only runs created before this time.
    var until: Date? = nil
    /// Only the runs of this conversation: the run with this id and the runs that continue it.
    var thread: UUID? = nil
    /// Continue after this position (from the previous page's `next`).
    var after: RunCursor? = nil
}

/// A position in the newest-first run list: the creation time in microseconds and the id. Sent to
/// clients as an opaque token (`next`), given back as `cursor`.
struct RunCursor: Sendable, Equatable {
    var createdMicroseconds: Int64
    var id: UUID

    /// The token: base64url of `<microseconds>:<id>`.
    var token: String {
        Data("\(createdMicroseconds):\(id.wireString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(createdMicroseconds: Int64, id: UUID) {
        self.createdMicroseconds = createdMicroseconds
        self.id = id
    }

    /// Reads a token; nil when it is not one.
    init?(token: String) {
        guard token.count <= 200 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let micro = Int64(parts[0]), micro >= 0, let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(createdMicroseconds: micro, id: id)
    }
}

/// A page of `GET /v1/runs`: the runs and, when there may be more, the cursor of the next page.
struct RunPage: Sendable, Equatable {
    var runs: [RunSummary]
    var next: RunCursor?
}
