@testable import AgentryDataWorker
import AgentryBus
import AgentryContracts
import AgentryRuntime
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import Testing

/// The data worker as it runs in production — a ``WorkerService`` with `sql.query` — over the real
/// broker and database, consuming a queue of its own so it never takes work from shared queues.
@Suite(.enabled(if: TestStack.isEnabled, "needs the broker and database started by scripts/test"))
struct DataWorkerBusTests {
    /// Routes the worker's `work.data` subscription and its published results to a test's own queues.
    struct RedirectingBus: MessageBus {
        let base: AMQPBus
        let workQueue: String
        let resultsQueue: String

        func publish(_ envelope: Envelope, to route: Route, replyTo: String?, delay: RetryTier?) async throws {
            let target = route.exchange == AgentryTopology.eventsExchange ? Route.queue(resultsQueue) : route
            try await base.publish(envelope, to: target, replyTo: replyTo, delay: delay)
        }

        func subscribe(to queue: String, prefetch: Int) async throws -> EnvelopeSubscription {
            try await base.subscribe(to: queue == Specialist.data.queueName ? workQueue : queue, prefetch: prefetch)
        }

        var isConnected: Bool { base.isConnected }
    }

    @Test func aWorkItemOnTheBrokerBecomesAStepResultAndIsAcked() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            let connection = try await AMQPConnection.connect(
                endpoint: AMQPEndpoint(url: TestStack.amqpURL()), name: "data-worker-tests",
                logger: DataWorkerFixture.logger)
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let workQueue = "test.work.data.\(suffix)"
            let resultsQueue = "test.data.results.\(suffix)"
            try await connection.declare(AMQPTopology(queues: [.init(workQueue), .init(resultsQueue)]))
            let bus = RedirectingBus(base: AMQPBus(connection: connection), workQueue: workQueue, resultsQueue: resultsQueue)
            let (_, pools) = DataWorkerFixture.tool(["default": database])
            let configuration = DataWorkerConfiguration(
                sources: [DataSourceDefinition(name: "default", configuration: database, origin: "test")], maxRows: 2)
            let service = DataWorker.service(
                configuration: configuration, sources: pools, bus: bus, prefetch: 2, logger: DataWorkerFixture.logger)
            let worker = Task { try await service.run() }

            let query = Envelope(tenant: "test", runId: UUID(), stepId: "top", payload: .workItem(WorkItem(
                stepId: "top", specialist: .data, tool: "sql.query",
                input: ["sql": "SELECT customer FROM orders ORDER BY id"], idempotencyKey: "k-top", risk: .low)))
            let write = Envelope(tenant: "test", runId: UUID(), stepId: "wipe", payload: .workItem(WorkItem(
                stepId: "wipe", specialist: .data, tool: "sql.query", input: ["sql": "DELETE FROM orders"],
                idempotencyKey: "k-wipe", risk: .low)))
            try await bus.base.publish(query, to: .queue(workQueue))
            try await bus.base.publish(write, to: .queue(workQueue))

            var results: [UUID: Envelope] = [:]
            var iterator = try await bus.base.subscribe(to: resultsQueue, prefetch: 4).makeAsyncIterator()
            while results.count < 2, let delivery = try await iterator.next() {
                let envelope = try delivery.envelope()
                if let cause = envelope.causationId { results[cause] = envelope }
                delivery.ack()
            }
            guard case .stepCompleted(let completed)? = results[query.id]?.payload else {
                Issue.record("expected step.completed, got \(String(describing: results[query.id]))")
                return
            }
            #expect(completed.idempotencyKey == "k-top")
            #expect(completed.output["rows"] == [["customer": "Ada"], ["customer": "Grace"]])
            #expect(completed.output["truncated"] == true)
            #expect(results[query.id]?.stepId == "top")
            #expect(results[query.id]?.runId == query.runId)
            guard case .stepFailed(let failed)? = results[write.id]?.payload else {
                Issue.record("expected step.failed, got \(String(describing: results[write.id]))")
                return
            }
            #expect(failed.code == "read_only")
            #expect(!failed.retryable)

            // Both deliveries were acked: with the worker stopped, nothing returns to the queue.
            worker.cancel()
            _ = await worker.result
            try await eventually("the worker's consumer is gone", timeout: .seconds(30)) {
                try await connection.queueStatus(workQueue).consumers == 0
            }
            #expect(try await connection.queueStatus(workQueue).messages == 0)
            try await connection.delete(queue: workQueue)
            try await connection.delete(queue: resultsQueue)
            await pools.close()
            await connection.close()
        }
    }
}
