import AgentryBus
@testable import AgentryBrowserWorker
import AgentryContracts
import AgentryTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `agentry-browser-worker` executable over the real broker (a virtual host of its own):
/// it answers a `work.browser` item with `step.completed`, and its Chromium does not outlive it,
/// whether it is stopped with SIGTERM or killed with SIGKILL.
@Suite(.enabled(if: TestStack.isEnabled && BrowserFixture.shouldRun, "needs the broker and Chromium"), .serialized)
struct BrowserWorkerProcessTests {
    @Test func answersOverTheBrokerAndTakesItsBrowserAlongWhenStoppedOrKilled() async throws {
        let vhost = "browser-\(UUID().uuidString.prefix(8).lowercased())"
        try await TestStack.runStackScript("vhost", "add", vhost)
        do {
            try await BrowserTestSite.withSite { site in
                try await Self.exercise(vhost: vhost, site: site)
            }
            try? await TestStack.runStackScript("vhost", "delete", vhost)
        } catch {
            try? await TestStack.runStackScript("vhost", "delete", vhost)
            throw error
        }
    }

    private static func exercise(vhost: String, site: String) async throws {
        let amqpBase = try TestStack.amqpURL()
        let slash = try #require(amqpBase.range(of: "/", options: .backwards))
        let amqpURL = amqpBase[..<slash.lowerBound] + "/" + vhost
        let connection = try await AMQPConnection.connect(
            endpoint: AMQPEndpoint(url: amqpURL), name: "browser-process-test", logger: BrowserFixture.logger)
        let results = "test.browser.results"
        let received = BrowserResults()
        var consumer: Task<Void, any Error>?
        do {
            try await connection.declare(AgentryTopology.standard().merging(AMQPTopology(
                queues: [AMQPTopology.Queue(results, durable: false)],
                bindings: ["step.completed", "step.failed"].map {
                    AMQPTopology.Binding(queue: results, exchange: AgentryTopology.eventsExchange, routingKey: $0)
                })))
            let subscription = try await AMQPBus(connection: connection).subscribe(to: results, prefetch: 4)
            consumer = Task {
                for try await delivery in subscription {
                    delivery.ack()
                    if let envelope = try? delivery.envelope() { await received.append(envelope) }
                }
            }
            for (round, signal) in [(1, SIGTERM), (2, SIGKILL)] {
                try await Self.round(round, stoppingWith: signal, amqpURL: amqpURL, site: site,
                                     bus: AMQPBus(connection: connection), received: received)
            }
            consumer?.cancel()
            await connection.close()
        } catch {
            consumer?.cancel()
            await connection.close()
            throw error
        }
    }

    /// Starts a worker, has it open a page, then stops it with `signal` and checks its Chromium went too.
    private static func round(
        _ round: Int, stoppingWith signal: Int32, amqpURL: String, site: String, bus: AMQPBus, received: BrowserResults
    ) async throws {
        let worker = try BrowserWorkerProcess(amqpURL: amqpURL)
        do {
            let stepId = "price-\(round)"
            let item = WorkItem(
                stepId: stepId, specialist: .browser, tool: "browser.open",
                input: ["url": .string("\(site)/page"), "selector": "p.price"],
                limits: StepLimits(timeoutSeconds: 30), idempotencyKey: "run/\(stepId)", risk: .low)
            try await bus.publish(
                Envelope(tenant: "acme", runId: UUID(), stepId: stepId, payload: .workItem(item)), to: .work("browser"))
            do {
                try await eventually("the worker answers step \(stepId)", timeout: .seconds(60)) {
                    await received.envelope(stepId: stepId) != nil
                }
            } catch {
                throw BrowserTestFailure("\(error); the worker's log ends:\n\(worker.logTail())")
            }
            let envelope = try #require(await received.envelope(stepId: stepId))
            guard case .stepCompleted(let completed) = envelope.payload else {
                throw BrowserTestFailure("expected step.completed, got \(envelope.payload)\n\(worker.logTail())")
            }
            #expect(completed.output["text"] == "Widget: 42.00 EUR")

            let browsers = BrowserFixture.children(of: worker.pid)
            #expect(browsers.count == 1, "the worker runs one browser: \(browsers)")
            let browser = try #require(browsers.first)
            #expect(BrowserFixture.processes(inGroup: browser).contains(browser))

            let log = worker.logTail()
            let status = await worker.stop(signal: signal)
            if signal == SIGTERM {
                #expect(status == 0, "a graceful shutdown exits 0\n\(log)")
            }
            worker.removeLog()
            try await eventually("Chromium (group \(browser)) is gone after the worker got signal \(signal)", timeout: .seconds(60)) {
                BrowserFixture.processes(inGroup: browser).isEmpty
            }
            // The profile directory: deleted by the worker on SIGTERM; left by a killed worker
            // until a sweep (as the next worker does) finds its owner gone.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
                .filter { $0.hasPrefix("\(ChromiumProcess.directoryPrefix)\(worker.pid)-") }
            if signal == SIGTERM {
                #expect(leftovers.isEmpty)
            } else {
                #expect(leftovers.count == 1)
                #expect(ChromiumProcess.removeStaleDirectories(in: NSTemporaryDirectory()).contains(leftovers))
            }
        } catch {
            await worker.stop(signal: SIGKILL)
            throw error
        }
    }
}
