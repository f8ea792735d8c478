import AgentryServiceKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Testing

@Suite struct OperationsServerTests {
    private func application(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        readiness: ReadinessChecks = ReadinessChecks()
    ) -> some ApplicationProtocol {
        Application(router: OperationsServer.buildRouter(registry: registry, readiness: readiness))
    }

    private func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
        return try #require(object as? [String: Any])
    }

    @Test func healthzAnswersWhileTheProcessRuns() async throws {
        let readiness = ReadinessChecks()
        readiness.register("broker") { false }
        try await application(readiness: readiness).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok, "liveness does not depend on readiness")
                let body = try json(response)
                #expect(body["status"] as? String == "ok")
            }
        }
    }

    @Test func readyzFollowsItsChecks() async throws {
        let broker = Flag(false)
        let database = Flag(true)
        let readiness = ReadinessChecks()
        readiness.register("broker") { broker.get() }
        readiness.register("database") { database.get() }

        try await application(readiness: readiness).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try json(response)
                #expect(body["status"] as? String == "unavailable")
                #expect(body["failing"] as? [String] == ["broker"])
                #expect(body["checks"] as? [String: Bool] == ["broker": false, "database": true])
            }

            broker.set(true)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["status"] as? String == "ready")
                #expect(body["failing"] as? [String] == [])
            }

            database.set(false)
            broker.set(false)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response)
                #expect(body["failing"] as? [String] == ["broker", "database"])
            }
        }
    }

    @Test func readyzWithNoChecksIsReadyUntilShutdown() async throws {
        let readiness = ReadinessChecks()
        try await application(readiness: readiness).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
            readiness.markShuttingDown()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response)
                #expect(body["failing"] as? [String] == ["shutdown"])
            }
        }
    }

    @Test func metricsServesWhatWasRecorded() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = AgentryMetrics.makeFactory(registry: registry)
        let counter = Counter(label: "agentry_envelopes_published_total", dimensions: [("type", "run.planned")], factory: factory)
        counter.increment(by: 3)
        Gauge(label: "agentry_consumers_active", factory: factory).record(2)

        try await application(registry: registry).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains(#"agentry_envelopes_published_total{type="run.planned"} 3"#), "\(text)")
                #expect(text.contains("agentry_consumers_active 2"), "\(text)")
            }
            counter.increment()
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"agentry_envelopes_published_total{type="run.planned"} 4"#))
            }
        }
    }

    @Test func unknownPathIsNotFound() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/admin", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func reportListsShutdownFirstThenFailingChecksSorted() {
        let report = ReadinessReport(checks: ["z": false, "a": false, "m": true], shuttingDown: true)
        #expect(report.failing == ["shutdown", "a", "z"])
        #expect(!report.isReady)
        #expect(ReadinessReport(checks: ["a": true], shuttingDown: false).isReady)
    }
}
