import AgentryBus
import AgentryContracts
@testable import AgentryRuntime
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The service runtime's consumer, worker and outbox relay, over the in-memory bus.
@Suite struct EnvelopeConsumerTests {
    static let logger: Logger = {
        var logger = Logger(label: "runtime-tests")
        logger.logLevel = .critical
        return logger
    }()

    @Test func settlesEachDeliveryByTheHandlersOutcome() async throws {
        let bus = InMemoryBus()
        let attempts = Mutex<[String: Int]>([:])
        let consumer = EnvelopeConsumer(queue: "director.inbox", bus: bus, prefetch: 8, logger: Self.logger) { envelope, _ in
            guard case .runControl(let control) = envelope.payload else { return }
            let attempt = attempts.withLock { counts -> Int in
                counts[control.reason ?? "", default: 0] += 1
                return counts[control.reason ?? ""]!
            }
            switch control.reason {
            case "poison": throw PermanentFailure("cannot ever work")
            case "flaky" where attempt < 3: throw CancellationError()
            default: return
            }
        }
        let task = Task { try await consumer.run() }
        for reason in ["fine", "poison", "flaky"] {
            try await bus.publishEvent(Envelope(tenant: "t", runId: UUID(), payload: .runControl(RunControl(action: .pause, reason: reason))))
        }
        try bus.publishRaw(Data(#"{"id":"x","type":"no.such.type","version":1}"#.utf8), to: .event(.runControl))
        try await eventually("every delivery settled") {
            bus.readyCount("director.inbox") == 0 && bus.unsettledCount("director.inbox") == 0
                && attempts.withLock { $0["flaky"] } == 3
        }
        // The poison message and the undecodable one were dead-lettered; the flaky one succeeded on its third delivery.
        #expect(bus.readyCount(AgentryTopology.deadLetterQueue) == 2)
        #expect(attempts.withLock { $0 } == ["fine": 1, "poison": 1, "flaky": 3])
        task.cancel()
    }
}

@Suite struct WorkerServiceTests {
    struct Echo: WorkerTool {
        let name = "echo.run"
        func run(_ request: ToolRequest) async throws -> JSONValue {
            if try request.optionalString("fail") != nil {
                throw ToolFailure(code: "refused", "told to fail", retryable: false)
            }
            if let seconds = request.input["sleep"]?.doubleValue { try await Task.sleep(for: .seconds(seconds)) }
            return ["said": .string(try request.string("text")), "key": .string(request.idempotencyKey)]
        }
    }

    private func work(_ input: JSONValue, tool: String = "echo.run", limits: StepLimits = .standard) -> Envelope {
        Envelope(tenant: "t", runId: UUID(), stepId: "s1", attempt: 2, payload: .workItem(WorkItem(
            stepId: "s1", specialist: .code, tool: tool, input: input, limits: limits, idempotencyKey: "run:s1", risk: .low)))
    }

    private func result(of work: Envelope) async throws -> Envelope {
        let bus = InMemoryBus()
        bus.declare(AMQPTopology(queues: [.init("results")], bindings: [
            .init(queue: "results", exchange: AgentryTopology.eventsExchange, routingKey: "step.*"),
        ]))
        let worker = WorkerService(
            specialist: .code, bus: bus, prefetch: 1, logger: EnvelopeConsumerTests.logger, tools: [Echo()],
            timeoutGrace: .milliseconds(200))
        try await worker.handle(work)
        let results = bus.readyEnvelopes("results")
        try #require(results.count == 1)
        return results[0]
    }

    @Test func aToolsOutputBecomesStepCompletedCausedByTheWorkItem() async throws {
        let item = work(["text": "hello"])
        let completed = try await result(of: item)
        guard case .stepCompleted(let body) = completed.payload else { Issue.record("not step.completed"); return }
        #expect(body.output == ["said": "hello", "key": "run:s1"])
        #expect(body.idempotencyKey == "run:s1")
        #expect(completed.causationId == item.id)
        #expect(completed.runId == item.runId)
        #expect(completed.stepId == "s1")
        #expect(completed.attempt == 2)
    }

    @Test func failuresAreReportedWithTheirCodes() async throws {
        let cases: [(Envelope, String, Bool)] = [
            (work(["text": "x", "fail": "yes"]), "refused", false),
            (work(["text": 3]), "invalid_input", false),
            (work(["text": "x"], tool: "nope.run"), "unknown_tool", false),
            (work(["text": "x", "sleep": 30], limits: StepLimits(timeoutSeconds: 1)), "timeout", true),
            (work(["text": .string(String(repeating: "x", count: 500))], limits: StepLimits(maxOutputBytes: 100)), "output_too_large", false),
        ]
        for (item, code, retryable) in cases {
            let envelope = try await result(of: item)
            guard case .stepFailed(let failed) = envelope.payload else { Issue.record("\(code): not step.failed"); continue }
            #expect(failed.code == code)
            #expect(failed.retryable == retryable, "\(code)")
        }
    }
}

@Suite(.enabled(if: TestStack.isEnabled, "needs the test stack (scripts/test)"))
struct OutboxRelayTests {
    @Test func publishesCommittedEnvelopesOnceAndKeepsWhatFailed() async throws {
        try await DirectorFixture.run { fixture in
            let bus = InMemoryBus()
            bus.declare(AMQPTopology(queues: [.init("planned"), .init("replies")], bindings: [
                .init(queue: "planned", exchange: AgentryTopology.eventsExchange, routingKey: "run.planned"),
            ]))
            let relay = OutboxRelay(store: fixture.store, bus: bus, logger: EnvelopeConsumerTests.logger)
            let planned = Envelope(tenant: "t", runId: UUID(), payload: .runPlanned(RunPlanned(plan: Plan(steps: []))))
            let retry = Envelope(tenant: "t", runId: UUID(), payload: .workItem(WorkItem(
                stepId: "a", specialist: .data, tool: "sql.query", input: [:], idempotencyKey: "k", risk: .low)))
            let ask = Envelope(tenant: "t", payload: .modelRequest(ModelRequest(alias: "planner", messages: [])))
            let unroutable = Envelope(tenant: "t", payload: .runControl(RunControl(action: .cancel)))
            try await fixture.store.withTransaction { connection in
                try await Outbox.enqueueEvent(planned, on: connection)
                try await Outbox.enqueue(retry, to: .work("data"), delay: .fiveSeconds, on: connection)
                try await Outbox.enqueue(ask, to: .queue("replies"), replyTo: "director.inbox", on: connection)
                try await Outbox.enqueue(unroutable, to: .queue("nowhere"), on: connection)
                // Enqueuing the same envelope again is a no-op.
                try await Outbox.enqueueEvent(planned, on: connection)
            }
            // A rolled-back transaction leaves nothing behind.
            _ = try? await fixture.store.withTransaction { connection in
                try await Outbox.enqueueEvent(Envelope(tenant: "t", payload: .runControl(RunControl(action: .pause))), on: connection)
                throw PermanentFailure("roll back")
            }
            #expect(try await fixture.count("outbox") == 4)

            let relayed: Int
            do {
                relayed = try await relay.relayBatch()
            } catch {
                let errors = try await fixture.store.query("SELECT routing_key, last_error FROM outbox ORDER BY id")
                    .map { "\(try $0.decode(String.self, column: "routing_key")): \(try $0.decode(String?.self, column: "last_error") ?? "-")" }
                Issue.record("relay failed: \(error); rows: \(errors)")
                return
            }
            #expect(relayed == 3)
            #expect(bus.readyEnvelopes("planned").map(\.id) == [planned.id])
            #expect(bus.delayedCount == 1)
            #expect(bus.readyEnvelopes("replies").map(\.id) == [ask.id])
            // No queue is called "nowhere": that row stays unsent, with the broker's error.
            let rows = try await fixture.store.query(
                "SELECT envelope_id, sent_at IS NOT NULL AS sent, last_error FROM outbox ORDER BY id")
            let unsent = try rows.filter { try !$0.decode(Bool.self, column: "sent") }
            #expect(try unsent.map { try $0.decode(UUID.self, column: "envelope_id") } == [unroutable.id])
            #expect(try unsent.first?.decode(String?.self, column: "last_error")?.contains("312") == true)
            // The next pass publishes nothing twice; only the failing row is tried again, and
            // failing everything it tried is an error (the relay backs off).
            await #expect(throws: (any Error).self) { try await relay.relayBatch() }
            #expect(bus.published.count == 3)
            #expect(try await fixture.scalar("SELECT attempts::int8 FROM outbox WHERE envelope_id = '\(unroutable.id)'") == 2)
        }
    }

    @Test func wakesOnSignalAndDrainsBeforeStopping() async throws {
        try await DirectorFixture.run { fixture in
            let bus = InMemoryBus()
            bus.declare(AMQPTopology(queues: [.init("planned")], bindings: [
                .init(queue: "planned", exchange: AgentryTopology.eventsExchange, routingKey: "run.planned"),
            ]))
            // A poll interval far longer than the test: only wake() can make it publish promptly.
            let relay = OutboxRelay(store: fixture.store, bus: bus, logger: EnvelopeConsumerTests.logger, pollInterval: .seconds(3600))
            let task = Task { try await relay.run() }
            for _ in 0..<3 {
                let envelope = Envelope(tenant: "t", runId: UUID(), payload: .runPlanned(RunPlanned(plan: Plan(steps: []))))
                try await fixture.store.withTransaction { try await Outbox.enqueueEvent(envelope, on: $0) }
                relay.wake()
            }
            try await eventually("relayed") { bus.readyCount("planned") == 3 }
            task.cancel()
            _ = try? await task.value
        }
    }
}
