/// Which runs `GET /v1/runs` lists.
struct RunFilter: Sendable, Equatable {
    /// Most runs returned.
    var limit: Int
    /// Only runs in this status.
    var status: String?
    /// Only runs of this tenant.
    var tenant: String?
}
