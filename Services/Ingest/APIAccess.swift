import AgentryServiceKit
import Foundation
import Synchronization

/// What a caller of the API may do.
enum APIPermission: String, Sendable, CaseIterable {
    /// Read runs, approvals, audit trails and event streams.
    case read
    /// Request runs.
    case submit
    /// Approve or reject.
    case decide
    /// Cancel, pause and resume runs.
    case control
}

/// What each role may do: a viewer reads; a submitter reads and requests runs; an approver reads
/// and decides; an operator does all of those and controls runs; an admin does everything.
extension APIRole {
    /// What the role may do.
    var permissions: Set<APIPermission> {
        switch self {
        case .admin, .operator: Set(APIPermission.allCases)
        case .approver: [.read, .decide]
        case .submitter: [.read, .submit]
        case .viewer: [.read]
        }
    }
}

/// Who is calling: a key's role and, for a tenant's key, the one tenant it may see and act for.
struct APIPrincipal: Sendable, Equatable {
    var role: APIRole
    /// Only this tenant's runs and approvals; all tenants when nil.
    var tenant: String?
    /// The key's id, for logs (nil without authentication).
    var keyId: UUID?

    /// Everything, as when authentication is off.
    static let unrestricted = APIPrincipal(role: .admin, tenant: nil, keyId: nil)

    /// Whether this principal may see or act for `tenant`.
    func covers(_ tenant: String) -> Bool { self.tenant == nil || self.tenant == tenant }
}

/// A stored API key as the gateway checks it.
struct APIKeyRecord: Sendable, Equatable {
    var id: UUID
    var role: APIRole
    var tenant: String?
    var revoked: Bool
}

/// Checks API keys (cached for a short while, so revocation takes effect within ``cacheLifetime``)
/// and limits each tenant's request rate.
final class APIAccess: Sendable {
    /// How the API authenticates. `AGENTRY_API_AUTH`: `keys` (default) or `none`.
    enum Mode: String, Sendable {
        case keys, none
    }

    static let cacheLifetime: Duration = .seconds(30)
    static let cacheCapacity = 1_000

    let mode: Mode
    /// Requests per minute per tenant; 0 for no limit.
    let requestsPerMinute: Int
    private let cache = Mutex<[String: (record: APIKeyRecord?, until: ContinuousClock.Instant)]>([:])
    private let buckets = Mutex<[String: ContinuousClock.Instant]>([:])

    init(mode: Mode, requestsPerMinute: Int) {
        self.mode = mode
        self.requestsPerMinute = requestsPerMinute
    }

    /// The key in `Authorization: Bearer <key>` or `X-API-Key`, if any.
    static func presentedKey(_ request: APIRequest) -> String? {
        if let authorization = request.header("authorization") { return request.bearerToken ?? authorization }
        return request.header("x-api-key")
    }

    /// The record for `hash`, from the cache or `lookup`.
    func record(hash: String, lookup: () async throws -> APIKeyRecord?) async throws -> APIKeyRecord? {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[hash] }), cached.until > now { return cached.record }
        let record = try await lookup()
        cache.withLock { cache in
            if cache.count >= Self.cacheCapacity { cache = cache.filter { $0.value.until > now } }
            if cache.count >= Self.cacheCapacity { cache.removeAll() }
            cache[hash] = (record, now + Self.cacheLifetime)
        }
        return record
    }

    /// Takes one request from `tenant`'s allowance; the wait until the next is allowed when none is left.
    func admit(tenant: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard requestsPerMinute > 0 else { return nil }
        let interval = Duration.seconds(60) / requestsPerMinute
        return buckets.withLock { buckets in
            let paidOff = max(buckets[tenant] ?? now, now) + interval
            let start = paidOff - .seconds(60)
            if start > now { return now.duration(to: start) }
            if buckets.count > 10_000 { buckets = buckets.filter { $0.value > now } }
            buckets[tenant] = paidOff
            return nil
        }
    }
}

extension IngestAPI {
    /// Who is calling and whether they may: with `AGENTRY_API_AUTH=keys` the request must carry a
    /// valid, unrevoked key (`Authorization: Bearer <key>` or `X-API-Key`) whose role has
    /// `permission`; then the tenant's rate limit applies.
    ///
    /// - Throws: 401 `unauthenticated` (no key) or `invalid_api_key` (malformed, unknown, revoked),
    ///   403 `forbidden` (the role may not), 429 `rate_limited` with `Retry-After`.
    func authorize(_ request: APIRequest, _ permission: APIPermission) async throws(APIError) -> APIPrincipal {
        var principal = APIPrincipal.unrestricted
        if access.mode == .keys {
            guard let key = APIAccess.presentedKey(request), !key.isEmpty else {
                throw APIError(
                    .unauthorized, code: "unauthenticated",
                    "this route needs an API key: send Authorization: Bearer <key> (create one with agentry keys create)")
            }
            guard APIKeyFormat.isWellFormed(key) else {
                throw APIError(.unauthorized, code: "invalid_api_key", "the API key is not valid", reason: "api_key_malformed")
            }
            let hash = APIKeyFormat.hash(key)
            let found = try await read { try await access.record(hash: hash) { try await store.apiKey(hash: hash) } }
            guard let record = found, !record.revoked else {
                throw APIError(
                    .unauthorized, code: "invalid_api_key", "the API key is unknown or revoked",
                    reason: found == nil ? "api_key_unknown" : "api_key_revoked")
            }
            principal = APIPrincipal(role: record.role, tenant: record.tenant, keyId: record.id)
            guard record.role.permissions.contains(permission) else {
                throw APIError(
                    .forbidden, code: "forbidden", "a key with role \(record.role.rawValue) may not \(permission.rawValue) here")
            }
        }
        if let wait = access.admit(tenant: principal.tenant ?? "*") { throw .rateLimited(retryAfter: wait) }
        return principal
    }
}
