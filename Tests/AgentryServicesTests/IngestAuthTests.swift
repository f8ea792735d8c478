import AgentryHTTP
import AgentryServiceKit
import Foundation
import Testing

@testable import AgentryIngest

/// API keys and roles over HTTP: every API route's permission for every role, tenant-scoped keys,
/// refused keys, and the per-tenant rate limit.
@Suite struct IngestAuthTests {
    static func configuration(rateLimit: Int = 0) -> IngestConfiguration {
        var configuration = IngestHTTPTests.configuration()
        configuration.apiAuth = .keys
        configuration.apiRateLimit = rateLimit
        return configuration
    }

    /// Every API route (webhooks authenticate by signature instead) and the permission it needs.
    static func routes(run: String, approval: String) -> [(method: HTTPMethod, path: String, body: String?, permission: APIPermission)] {
        [
            (.post, "/v1/runs", #"{"request":"open https://example.com"}"#, .submit),
            (.get, "/v1/runs", nil, .read),
            (.get, "/v1/runs/\(run)", nil, .read),
            (.get, "/v1/runs/\(run)/audit", nil, .read),
            (.get, "/v1/approvals", nil, .read),
            (.post, "/v1/runs/\(run)/cancel", "{}", .control),
            (.post, "/v1/runs/\(run)/pause", "{}", .control),
            (.post, "/v1/runs/\(run)/resume", "{}", .control),
            (.post, "/v1/approvals/\(approval)", #"{"decision":"approved","decidedBy":"ana"}"#, .decide),
        ]
    }

    static func call(_ base: String, _ method: HTTPMethod, _ path: String, body: String?, key: String?) async throws -> HTTPResponse {
        var request = HTTPRequest(url: base + path, method: method, body: body.map { Data($0.utf8) })
        if body != nil { request.headers.add(name: "Content-Type", value: "application/json") }
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        return try await HTTPClient.shared.execute(request)
    }

    @Test func everyRoleMayDoExactlyWhatItsRoleAllows() async throws {
        let harness = IngestHarness(configuration: Self.configuration())
        var run = IngestAPITests.run()
        run.status = "running"
        harness.store.add(run)
        let approval = ApprovalTarget(id: UUID(), runId: UUID(), stepId: nil, tenant: "acme", status: "pending")
        harness.store.add(approval)
        try await IngestHTTPTests.withServer(harness) { base in
            for role in APIRole.allCases {
                let key = harness.store.addKey(role: role)
                for route in Self.routes(run: run.id, approval: approval.id.wireString) {
                    let response = try await Self.call(base, route.method, route.path, body: route.body, key: key)
                    let allowed = role.permissions.contains(route.permission)
                    if allowed {
                        #expect(response.status != 401 && response.status != 403, "\(role) \(route.method) \(route.path)")
                    } else {
                        #expect(response.status == 403, "\(role) \(route.method) \(route.path)")
                        #expect(try IngestHTTPTests.code(response) == "forbidden")
                    }
                }
            }
            // The webhooks and the document need no key.
            #expect(try await Self.call(base, .get, "/openapi.yaml", body: nil, key: nil).status == 200)
        }
        #expect(APIRole.viewer.permissions == [.read])
        #expect(APIRole.admin.permissions == Set(APIPermission.allCases))
    }

    @Test func missingMalformedUnknownAndRevokedKeysAre401() async throws {
        let harness = IngestHarness(configuration: Self.configuration())
        let revoked = harness.store.addKey(role: .admin, revoked: true)
        try await IngestHTTPTests.withServer(harness) { base in
            let cases: [(String?, String)] = [
                (nil, "unauthenticated"), ("not-a-key", "invalid_api_key"),
                (APIKeyFormat.generate().key, "invalid_api_key"), (revoked, "invalid_api_key"),
            ]
            for (key, code) in cases {
                let response = try await Self.call(base, .get, "/v1/runs", body: nil, key: key)
                #expect(response.status == 401)
                #expect(try IngestHTTPTests.code(response) == code)
            }
            // X-API-Key works as well as Authorization.
            let viewer = harness.store.addKey(role: .viewer)
            var request = HTTPRequest(url: base + "/v1/runs")
            request.headers.add(name: "X-API-Key", value: viewer)
            #expect(try await HTTPClient.shared.execute(request).status == 200)
        }
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "api_key_revoked") == 1)
        #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "api_key_unknown") == 1)
    }

    @Test func aTenantsKeySeesAndActsForItsTenantOnly() async throws {
        let harness = IngestHarness(configuration: Self.configuration())
        var own = IngestAPITests.run()
        own.status = "running"
        var other = IngestAPITests.run()
        other.tenant = "globex"
        other.status = "running"
        harness.store.add(own)
        harness.store.add(other)
        let key = harness.store.addKey(role: .operator, tenant: "acme")
        try await IngestHTTPTests.withServer(harness) { base in
            #expect(try await Self.call(base, .get, "/v1/runs/\(own.id)", body: nil, key: key).status == 200)
            #expect(try await Self.call(base, .get, "/v1/runs/\(other.id)", body: nil, key: key).status == 404)
            #expect(try await Self.call(base, .post, "/v1/runs/\(other.id)/cancel", body: nil, key: key).status == 404)
            #expect(try await Self.call(base, .get, "/v1/runs?tenant=globex", body: nil, key: key).status == 403)
            _ = try await Self.call(base, .get, "/v1/runs", body: nil, key: key)
            #expect(harness.store.filters.last?.tenant == "acme")
            let foreign = try await Self.call(base, .post, "/v1/runs", body: #"{"request":"x","tenant":"globex"}"#, key: key)
            #expect(foreign.status == 403)
            let accepted = try await Self.call(base, .post, "/v1/runs", body: #"{"request":"open https://example.com"}"#, key: key)
            #expect(accepted.status == 202)
        }
        #expect(harness.facts.count == 1)
        #expect(harness.facts.first?.tenant == "acme")
    }

    @Test func aTenantOverItsRateIsToldWhenToComeBack() async throws {
        let harness = IngestHarness(configuration: Self.configuration(rateLimit: 3))
        let acme = harness.store.addKey(role: .viewer, tenant: "acme")
        let globex = harness.store.addKey(role: .viewer, tenant: "globex")
        try await IngestHTTPTests.withServer(harness) { base in
            for _ in 0..<3 { #expect(try await Self.call(base, .get, "/v1/runs", body: nil, key: acme).status == 200) }
            let limited = try await Self.call(base, .get, "/v1/runs", body: nil, key: acme)
            #expect(limited.status == 429)
            #expect(try IngestHTTPTests.code(limited) == "rate_limited")
            let retryAfter = try #require(limited.headers["retry-after"].flatMap { Int($0) })
            #expect((1...20).contains(retryAfter))
            // Another tenant has its own allowance.
            #expect(try await Self.call(base, .get, "/v1/runs", body: nil, key: globex).status == 200)
        }
    }
}
