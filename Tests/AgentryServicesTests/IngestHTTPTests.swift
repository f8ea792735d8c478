import AgentryContracts
import AgentryHTTP
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import AgentryIngest

/// The HTTP layer in-process on a free port: routes, body limits and JSON errors.
@Suite struct IngestHTTPTests {
    /// Runs the API server on a free port over `harness` and calls `body` with its base URL.
    static func withServer(_ harness: IngestHarness, _ body: (String) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = IngestServer(api: harness.api) { port in continuation.yield(port) }
        var logger = Logger(label: "ingest-http-tests")
        logger.logLevel = .critical
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body("http://127.0.0.1:\(port)")
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func configuration(maxBodyBytes: Int = 1_048_576) -> IngestConfiguration {
        IngestConfiguration(
            apiPort: 0, maxBodyBytes: maxBodyBytes, slackSigningSecret: IngestHarness.secret, publishTimeout: .seconds(30))
    }

    static func post(_ url: String, _ body: String, contentType: String? = "application/json") async throws -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        return try await HTTPClient.shared.execute(HTTPRequest(url: url, method: .post, headers: headers, body: Data(body.utf8)))
    }

    static func code(_ response: HTTPResponse) throws -> String {
        try JSONDecoder().decode(APIErrorBody.self, from: response.body).error.code
    }

    @Test func routesAnswerJSON() async throws {
        let harness = IngestHarness(configuration: Self.configuration(maxBodyBytes: 2_048))
        try await Self.withServer(harness) { base in
            let accepted = try await Self.post(base + "/v1/runs", #"{"request":"open https://example.com"}"#)
            #expect(accepted.status == 202)
            #expect(accepted.headers["content-type"]?.hasPrefix("application/json") == true)
            let runId = try JSONDecoder().decode(RunAccepted.self, from: accepted.body).runId
            #expect(accepted.headers["location"] == "/v1/runs/\(runId)")
            #expect(harness.facts.map(\.runId?.wireString) == [runId])

            let tooLarge = try await Self.post(base + "/v1/runs", #"{"request":"\#(String(repeating: "x", count: 4_000))"}"#)
            #expect(tooLarge.status == 413)
            #expect(try Self.code(tooLarge) == "body_too_large")

            let plain = try await Self.post(base + "/v1/runs", #"{"request":"x"}"#, contentType: "text/plain")
            #expect(plain.status == 415)
            #expect(try Self.code(plain) == "unsupported_media_type")

            let malformed = try await Self.post(base + "/v1/runs", "{")
            #expect(malformed.status == 400)
            #expect(try Self.code(malformed) == "malformed_json")

            let unknown = try await HTTPClient.shared.execute(HTTPRequest(url: base + "/v2/nothing"))
            #expect(unknown.status == 404)
            #expect(try Self.code(unknown) == "not_found")

            let badId = try await HTTPClient.shared.execute(HTTPRequest(url: base + "/v1/runs/123"))
            #expect(badId.status == 400)

            let list = try await HTTPClient.shared.execute(HTTPRequest(url: base + "/v1/runs?limit=7&status=failed"))
            #expect(list.status == 200)
            #expect(harness.store.filters.last == RunFilter(limit: 7, status: "failed", tenant: nil))

            let unsigned = try await Self.post(base + "/v1/webhooks/slack", IngestHarness.slackEvent())
            #expect(unsigned.status == 401)
            #expect(try Self.code(unsigned) == "invalid_signature")
            #expect(harness.facts.count == 1)
            #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "body_too_large") == 1)
            #expect(harness.counter("agentry_ingest_requests_rejected_total", "reason", "not_found") == 1)
        }
    }
}
