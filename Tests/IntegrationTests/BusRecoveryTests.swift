import AgentryBus
import AgentryTestSupport
import Foundation
import Testing

/// Delays and broker restarts: slower tests, serialized after the basic ones.
@Suite(.enabled(if: TestStack.isEnabled, "needs the broker started by scripts/test"), .serialized)
struct BusRecoveryTests {
    @Test func delayedRetryComesBackAfterItsDelay() async throws {
        let connection = try await BusFixture.connect()
        try await connection.declare(AgentryTopology.standard())
        let queue = BusFixture.unique("delayed")
        let key = BusFixture.unique("kind")
        try await connection.declare(AMQPTopology(
            queues: [.init(queue)],
            bindings: [.init(queue: queue, exchange: AgentryTopology.workExchange, routingKey: key)]))
        var message = BusFixture.message("retry me")
        message.properties.headers = [
            AgentryTopology.delayTargetHeader: .string("work"),
            AgentryTopology.delayTierHeader: .string(RetryTier.oneSecond.rawValue),
        ]
        let log = DeliveryLog()
        let task = try await connection.consume(queue: queue, prefetch: 1).collect(into: log) { $0.ack() }
        let clock = ContinuousClock()
        let start = clock.now
        try await connection.publish(message, exchange: AgentryTopology.delayExchange, routingKey: key)
        // It waits in the delay queue first (the elapsed time below shows it)...
        let delayQueue = AgentryTopology.delayQueue(target: "work", tier: .oneSecond)
        try await eventually("back on the work exchange", timeout: .seconds(60)) { await log.count == 1 }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(950), "came back after \(elapsed), before its 1 s delay")
        let delivery = try #require(await log.deliveries.first)
        #expect(delivery.routingKey == key)
        #expect(delivery.exchange == AgentryTopology.workExchange)
        #expect(try await connection.queueStatus(delayQueue).messages == 0)
        task.cancel()
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func reconnectsAfterBrokerRestartAndResumes() async throws {
        let connection = try await BusFixture.connect("restart")
        let queue = BusFixture.unique("restart")
        try await connection.declare(AMQPTopology(queues: [
            .quorum(queue, deliveryLimit: 5, deadLetterExchange: AgentryTopology.deadExchange),
        ]))
        let log = DeliveryLog()
        let task = try await connection.consume(queue: queue, prefetch: 5).collect(into: log) { $0.ack() }
        try await connection.publish(BusFixture.message("before"), exchange: "", routingKey: queue)
        try await eventually("delivered before the restart") { await log.count == 1 }

        try await TestStack.runStackScript("restart", "broker")

        // Publishing resumes once the lane has reconnected and re-declared the topology.
        try await retrying("publish after restart", timeout: .seconds(60)) {
            try await connection.publish(BusFixture.message("after"), exchange: "", routingKey: queue)
        }
        #expect(connection.isConnected)
        // The consumer was re-established on the new connection.
        try await eventually("delivered after the restart", timeout: .seconds(30)) {
            await log.bodies.contains("after")
        }
        task.cancel()
        try await connection.delete(queue: queue)
        await connection.close()
    }
}
