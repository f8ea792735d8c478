import AgentryServiceKit
import AgentryTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Prometheus
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// A consumer stand-in: runs until graceful shutdown, then records what readiness said as it drained.
private struct DrainingWorker: Service {
    let started: Flag<Bool>
    let readyWhenDraining: Flag<Bool?>
    let readiness: ReadinessChecks

    func run() async throws {
        started.set(true)
        try? await gracefulShutdown()
        readyWhenDraining.set(await readiness.evaluate().isReady)
    }
}

/// A service that ignores graceful shutdown and stops only when cancelled.
private struct StubbornWorker: Service {
    let cancelled: Flag<Bool>

    func run() async throws {
        do {
            try await Task.sleep(for: .seconds(3600))
        } catch {
            cancelled.set(true)
            throw error
        }
    }
}

@Suite struct ServiceRunnerTests {
    private let logger = LogCapture().logger(label: "test", level: .critical)

    private func configuration(grace: Duration = .seconds(25)) -> ServiceConfiguration {
        ServiceConfiguration(
            serviceName: "test",
            http: .init(host: "127.0.0.1", port: 0),
            shutdown: .init(gracePeriod: grace)
        )
    }

    @Test func groupShutsDownOnSIGTERMAndSIGINTWithinTheGracePeriod() {
        let runner = AgentryServiceRunner(
            configuration: configuration(grace: .seconds(7)), logger: logger,
            services: [StubbornWorker(cancelled: Flag(false))], registry: PrometheusCollectorRegistry()
        )
        let group = runner.makeGroupConfiguration()
        #expect(group.gracefulShutdownSignals.map(\.description) == ["SIGTERM", "SIGINT"])
        #expect(group.maximumGracefulShutdownDuration == .seconds(7))
        #expect(group.services.count == 3, "operations server, the service, the shutdown notice")
    }

    @Test func servesOperationsAndStopsGracefullyWhenTriggered() async throws {
        let readiness = ReadinessChecks()
        readiness.register("broker") { true }
        let port = Flag<Int?>(nil)
        let started = Flag(false)
        let readyWhenDraining = Flag<Bool?>(nil)
        let worker = DrainingWorker(started: started, readyWhenDraining: readyWhenDraining, readiness: readiness)
        let runner = AgentryServiceRunner(
            configuration: configuration(), logger: logger, services: [worker],
            registry: PrometheusCollectorRegistry(), readiness: readiness,
            onOperationsServerRunning: { port.set($0) }
        )
        let group = runner.makeServiceGroup()

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }

            try await eventually("operations server listening", timeout: .seconds(20)) { port.get() != nil }
            let bound = try #require(port.get())
            #expect(bound > 0)
            try await eventually("the worker started", timeout: .seconds(20)) { started.get() }
            try await TestClient.withClient(host: "127.0.0.1", port: bound) { client in
                let health = try await client.get("/healthz")
                let ready = try await client.get("/readyz")
                #expect(health.head.status == .ok)
                #expect(ready.head.status == .ok)
            }

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(readyWhenDraining.get() == false, "readiness reports not-ready before services drain")
        #expect(readiness.names == ["broker"])
        await #expect(throws: (any Error).self, "the operations server has stopped") {
            try await TestClient.withClient(host: "127.0.0.1", port: port.get() ?? 0) { client in
                _ = try await client.get("/healthz")
            }
        }
    }

    @Test func serviceIgnoringShutdownIsCancelledAfterTheGracePeriod() async throws {
        let cancelled = Flag(false)
        let runner = AgentryServiceRunner(
            configuration: configuration(grace: .milliseconds(300)), logger: logger,
            services: [StubbornWorker(cancelled: cancelled)], registry: PrometheusCollectorRegistry()
        )
        let group = runner.makeServiceGroup()
        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        // The group ends once the stubborn service is cancelled (rethrowing its CancellationError).
        _ = try? await group.run()
        #expect(cancelled.get())
        #expect(clock.now - start < .seconds(20))
    }

    @Test func operationsServerStopsOnGracefulShutdown() async throws {
        let port = Flag<Int?>(nil)
        let server = OperationsServer(
            host: "127.0.0.1", port: 0, registry: PrometheusCollectorRegistry(), readiness: ReadinessChecks(),
            logger: logger, onRunning: { port.set($0) }
        )
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await server.run() }
                try await eventually("server listening", timeout: .seconds(20)) { port.get() != nil }
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(port.get() != nil)
    }
}
