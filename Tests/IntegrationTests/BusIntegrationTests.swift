import AgentryBus
import AgentryTestSupport
import Foundation
import Testing

@Suite(.enabled(if: TestStack.isEnabled, "needs the broker started by scripts/test"), .serialized)
struct BusIntegrationTests {
    @Test func publishConfirmConsumeAck() async throws {
        let connection = try await BusFixture.connect()
        let queue = BusFixture.unique("basic")
        try await connection.declare(AMQPTopology(queues: [
            .quorum(queue, deliveryLimit: 5, deadLetterExchange: AgentryTopology.deadExchange),
        ]))
        var properties = AMQPProperties(messageId: "m-1", type: "test.kind", correlationId: "c-1",
                                        timestamp: Date(timeIntervalSince1970: 1_800_000_000))
        properties.headers = ["traceparent": .string("00-abc-def-01"), "n": .int(7), "flag": .bool(true)]
        try await connection.publish(AMQPMessage(body: Data("hello".utf8), properties: properties),
                                     exchange: "", routingKey: queue)
        let log = DeliveryLog()
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        let task = consumer.collect(into: log) { $0.ack() }
        try await eventually("delivery") { await log.count == 1 }
        let delivery = try #require(await log.deliveries.first)
        #expect(String(decoding: delivery.body, as: UTF8.self) == "hello")
        #expect(delivery.properties.messageId == "m-1")
        #expect(delivery.properties.type == "test.kind")
        #expect(delivery.properties.correlationId == "c-1")
        #expect(delivery.properties.persistent)
        #expect(delivery.properties.timestamp == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(delivery.properties.headers["traceparent"] == .string("00-abc-def-01"))
        #expect(delivery.properties.headers["n"] == .int(7))
        #expect(delivery.properties.headers["flag"] == .bool(true))
        #expect(delivery.routingKey == queue)
        #expect(!delivery.redelivered)
        task.cancel()
        // Acked: once the consumer is gone nothing is left in the queue.
        try await eventually("queue drained") {
            let status = try await connection.queueStatus(queue)
            return status.messages == 0 && status.consumers == 0
        }
        try await connection.delete(queue: queue)
        await connection.close()
    }

    /// Acks are sent in batches, as one `multiple` ack for the oldest contiguous run: an ack must
    /// never cover a delivery that is still in work, and none may be lost.
    @Test func batchedAcksCoverExactlyTheSettledDeliveries() async throws {
        let connection = try await BusFixture.connect()
        let consuming = try await BusFixture.connect("acks")
        let queue = BusFixture.unique("acks")
        try await connection.declare(AMQPTopology(queues: [.init(queue)]))
        for index in 0..<40 {
            try await connection.publish(BusFixture.message("m\(index)"), exchange: "", routingKey: queue)
        }
        let log = DeliveryLog()
        let consumer = try await consuming.consume(queue: queue, prefetch: 40)
        let task = consumer.collect(into: log)
        try await eventually("all delivered") { await log.count == 40 }
        let deliveries = await log.deliveries
        // Settle in a scrambled order: #7 and #30 stay in work, #3 is rejected, the rest acked.
        var order = Array(deliveries.indices).filter { $0 != 7 && $0 != 30 }
        order.swapAt(0, 20)
        order.swapAt(5, 33)
        order.reverse()
        for index in order {
            if index == 3 { deliveries[index].reject() } else { deliveries[index].ack() }
        }
        // The acks leave before the close on the same socket, so closing the consumer's connection
        // returns exactly the two deliveries still in work to the queue.
        task.cancel()
        await consuming.close()
        try await eventually("unsettled deliveries requeued") {
            try await connection.queueStatus(queue).messages == 2
        }
        // And they are the two that were in work.
        let again = DeliveryLog()
        let second = try await connection.consume(queue: queue, prefetch: 10)
        let secondTask = second.collect(into: again) { $0.ack() }
        try await eventually("redelivered") { await again.count == 2 }
        let bodies = Set(await again.deliveries.map { String(decoding: $0.body, as: UTF8.self) })
        #expect(bodies == ["m7", "m30"])
        secondTask.cancel()
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func unroutableMandatoryPublishIsAnError() async throws {
        let connection = try await BusFixture.connect()
        let exchange = BusFixture.unique("nowhere")
        try await connection.declare(AMQPTopology(exchanges: [.init(exchange, kind: .direct, durable: false)]))
        let error = await #expect(throws: AMQPError.self) {
            try await connection.publish(BusFixture.message("lost"), exchange: exchange, routingKey: "no-queue")
        }
        #expect(error?.code == .unroutable)
        #expect(error?.replyCode == 312)
        // A missing exchange closes the publish channel; the next publish works again.
        let missing = await #expect(throws: AMQPError.self) {
            try await connection.publish(BusFixture.message("x"), exchange: BusFixture.unique("missing"),
                                         routingKey: "k")
        }
        #expect(missing?.code == .channelClosed)
        #expect(missing?.replyCode == 404)
        let queue = BusFixture.unique("after-error")
        try await connection.declare(AMQPTopology(queues: [.init(queue, durable: false, autoDelete: false)]))
        try await connection.publish(BusFixture.message("ok"), exchange: "", routingKey: queue)
        #expect(try await connection.queueStatus(queue).messages == 1)
        try await connection.delete(queue: queue)
        try await connection.delete(exchange: exchange)
        await connection.close()
    }

    @Test func concurrentPublishersAreEachConfirmed() async throws {
        let connection = try await BusFixture.connect()
        let queue = BusFixture.unique("concurrent")
        try await connection.declare(AMQPTopology(queues: [.init(queue)]))
        let count = 500
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await connection.publish(BusFixture.message("m\(index)"), exchange: "", routingKey: queue)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await connection.queueStatus(queue).messages == count)
        let log = DeliveryLog()
        let task = try await connection.consume(queue: queue, prefetch: 100).collect(into: log) { $0.ack() }
        try await eventually("all delivered") { await log.count == count }
        #expect(Set(await log.bodies) == Set((0..<count).map { "m\($0)" }))
        task.cancel()
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func consumerThatDiesWithoutAckingHandsTheMessageToAnother() async throws {
        let admin = try await BusFixture.connect("admin")
        let queue = BusFixture.unique("redeliver")
        try await admin.declare(AMQPTopology(queues: [
            .quorum(queue, deliveryLimit: 5, deadLetterExchange: AgentryTopology.deadExchange),
        ]))
        let doomed = try await BusFixture.connect("doomed")
        let doomedLog = DeliveryLog()
        let doomedTask = try await doomed.consume(queue: queue, prefetch: 1).collect(into: doomedLog)
        try await admin.publish(BusFixture.message("work"), exchange: "", routingKey: queue)
        try await eventually("first delivery") { await doomedLog.count == 1 }

        let survivor = try await BusFixture.connect("survivor")
        let survivorLog = DeliveryLog()
        let survivorTask = try await survivor.consume(queue: queue, prefetch: 1).collect(into: survivorLog) {
            $0.ack()
        }
        #expect(await survivorLog.count == 0)
        await doomed.close()  // the consumer dies without acking
        try await eventually("redelivered to the survivor") { await survivorLog.count == 1 }
        let redelivery = try #require(await survivorLog.deliveries.first)
        #expect(String(decoding: redelivery.body, as: UTF8.self) == "work")
        #expect(redelivery.redelivered)
        #expect(redelivery.deliveryCount >= 1)
        doomedTask.cancel()
        survivorTask.cancel()
        try await admin.delete(queue: queue)
        await survivor.close()
        await admin.close()
    }

    @Test func messagePastTheDeliveryLimitIsDeadLettered() async throws {
        let connection = try await BusFixture.connect()
        let queue = BusFixture.unique("poison")
        let deadExchange = BusFixture.unique("dead-x")
        let deadQueue = BusFixture.unique("dead-q")
        try await connection.declare(AMQPTopology(
            exchanges: [.init(deadExchange, kind: .fanout)],
            queues: [.init(deadQueue), .quorum(queue, deliveryLimit: 2, deadLetterExchange: deadExchange)],
            bindings: [.init(queue: deadQueue, exchange: deadExchange, routingKey: "")]))
        try await connection.publish(BusFixture.message("poison", id: "p-1"), exchange: "", routingKey: queue)
        let attempts = DeliveryLog()
        let task = try await connection.consume(queue: queue, prefetch: 1).collect(into: attempts) {
            $0.nack(requeue: true)  // the worker keeps failing
        }
        try await eventually("dead-lettered") { try await connection.queueStatus(deadQueue).messages == 1 }
        task.cancel()
        #expect(await attempts.count == 3)  // the first delivery plus two redeliveries, then the limit
        let dead = DeliveryLog()
        let deadTask = try await connection.consume(queue: deadQueue, prefetch: 1).collect(into: dead) { $0.ack() }
        try await eventually("dead letter consumed") { await dead.count == 1 }
        let letter = try #require(await dead.deliveries.first)
        #expect(String(decoding: letter.body, as: UTF8.self) == "poison")
        #expect(letter.properties.messageId == "p-1")
        #expect(try await connection.queueStatus(queue).messages == 0)
        deadTask.cancel()
        try await connection.delete(queue: queue)
        try await connection.delete(queue: deadQueue)
        try await connection.delete(exchange: deadExchange)
        await connection.close()
    }

    @Test func closedConnectionRefusesWork() async throws {
        let connection = try await BusFixture.connect()
        await connection.close()
        #expect(!connection.isConnected)
        let error = await #expect(throws: AMQPError.self) {
            try await connection.publish(BusFixture.message("late"), exchange: "", routingKey: "any")
        }
        #expect(error?.code == .notConnected || error?.code == .closed)
    }

    @Test func badCredentialsFailTheFirstConnect() async throws {
        var endpoint = try AMQPEndpoint(url: TestStack.amqpURL())
        endpoint.password = "wrong-password"
        let error = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(endpoint: endpoint, logger: BusFixture.logger)
        }
        #expect(error?.code == .loginFailed)
    }
}
