import AgentryHTTP
import Foundation
import Testing

@testable import AgentryIngest

/// The served OpenAPI document lists exactly the routes the gateway answers.
@Suite struct IngestOpenAPITests {
    /// Every route of ``IngestRoutes``, with the method and an example path.
    static let routes: [(method: String, template: String, example: String)] = [
        ("POST", "/v1/runs", "/v1/runs"), ("GET", "/v1/runs", "/v1/runs"),
        ("GET", "/v1/runs/{id}", "/v1/runs/\(UUID().wireString)"),
        ("GET", "/v1/runs/{id}/events", "/v1/runs/\(UUID().wireString)/events"),
        ("GET", "/v1/runs/{id}/audit", "/v1/runs/\(UUID().wireString)/audit"),
        ("POST", "/v1/runs/{id}/cancel", "/v1/runs/\(UUID().wireString)/cancel"),
        ("POST", "/v1/runs/{id}/pause", "/v1/runs/\(UUID().wireString)/pause"),
        ("POST", "/v1/runs/{id}/resume", "/v1/runs/\(UUID().wireString)/resume"),
        ("GET", "/v1/approvals", "/v1/approvals"),
        ("POST", "/v1/approvals/{id}", "/v1/approvals/\(UUID().wireString)"),
        ("POST", "/v1/webhooks/slack", "/v1/webhooks/slack"),
        ("POST", "/v1/webhooks/slack/interactivity", "/v1/webhooks/slack/interactivity"),
        ("POST", "/v1/webhooks/slack/commands", "/v1/webhooks/slack/commands"),
        ("POST", "/v1/webhooks/jira", "/v1/webhooks/jira"),
        ("POST", "/v1/webhooks/email", "/v1/webhooks/email"),
        ("POST", "/v1/webhooks/generic/{name}", "/v1/webhooks/generic/deploys"),
        ("GET", "/openapi.yaml", "/openapi.yaml"),
    ]

    /// The `paths` of the document with their methods, read from its lines.
    static func documentedOperations() -> Set<String> {
        var operations: Set<String> = []
        var path: String?
        for line in OpenAPIDocument.yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("components:") { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            for method in ["get", "post", "put", "delete", "patch"] where line == "    \(method):" {
                if let path { operations.insert("\(method.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func theDocumentDescribesEveryRouteAndNoOther() async throws {
        #expect(Self.documentedOperations() == Set(Self.routes.map { "\($0.method) \($0.template)" }))
        #expect(OpenAPIDocument.yaml.hasPrefix("openapi: 3.1.0\n"))
        #expect(!OpenAPIDocument.yaml.contains("\t"))
        // Every $ref points at a defined component.
        let references = OpenAPIDocument.yaml.matches(of: /\$ref: "#\/components\/(\w+)\/(\w+)"/).map { ($0.1, $0.2) }
        #expect(!references.isEmpty)
        for (kind, name) in references {
            #expect(OpenAPIDocument.yaml.contains("\n  \(kind):") && OpenAPIDocument.yaml.contains("\n    \(name):"), "\(kind)/\(name)")
        }

        let harness = IngestHarness(configuration: IngestHTTPTests.configuration())
        try await IngestHTTPTests.withServer(harness) { base in
            let served = try await HTTPClient.shared.execute(HTTPRequest(url: base + "/openapi.yaml"))
            #expect(served.status == 200)
            #expect(served.headers["content-type"]?.hasPrefix("application/yaml") == true)
            #expect(served.bodyText == OpenAPIDocument.yaml)
            // Each documented route is served: no answer is the router's "there is no <route>".
            for route in Self.routes where route.template != "/v1/runs/{id}/events" {
                let request = HTTPRequest(
                    url: base + route.example, method: route.method == "GET" ? .get : .post,
                    headers: ["Content-Type": "application/json"], body: route.method == "GET" ? nil : Data("{}".utf8))
                let response = try await HTTPClient.shared.execute(request)
                #expect(!response.bodyText.contains("there is no \(route.method)"), "\(route.method) \(route.template)")
            }
            let unknown = try await HTTPClient.shared.execute(HTTPRequest(url: base + "/v1/nothing"))
            #expect(unknown.bodyText.contains("there is no GET"))
        }
    }
}
