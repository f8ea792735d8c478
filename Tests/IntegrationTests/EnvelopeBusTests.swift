import AgentryBus
import AgentryContracts
import AgentryTestSupport
import Foundation
import Testing

/// The envelope layer over the real broker: properties mirror the envelope, unknown types are
/// dead-lettered, delayed envelopes come back.
@Suite(.enabled(if: TestStack.isEnabled, "needs the broker started by scripts/test"), .serialized)
struct EnvelopeBusTests {
    @Test func envelopeRoundTripsWithMirroredProperties() async throws {
        let connection = try await BusFixture.connect("envelopes")
        try await connection.declare(AgentryTopology.standard())
        let queue = BusFixture.unique("facts")
        try await connection.declare(AMQPTopology(
            queues: [.init(queue)],
            bindings: [.init(queue: queue, exchange: AgentryTopology.eventsExchange, routingKey: "run.failed")]))
        let bus = AMQPBus(connection: connection)
        let envelope = Envelope(
            tenant: "acme", runId: UUID(), correlationId: UUID(),
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            payload: .runFailed(RunFailed(reason: "step fetch failed 5 times", failedStepId: "fetch")))
        try await bus.publishEvent(envelope)
        let raw = DeliveryLog()
        let task = try await connection.consume(queue: queue, prefetch: 1).collect(into: raw) { $0.ack() }
        try await eventually("fact delivered") { await raw.count == 1 }
        let delivery = try #require(await raw.deliveries.first)
        #expect(delivery.properties.messageId == envelope.id.uuidString.lowercased())
        #expect(delivery.properties.type == "run.failed")
        #expect(delivery.properties.correlationId == envelope.correlationId?.uuidString.lowercased())
        #expect(delivery.properties.contentType == "application/json")
        #expect(delivery.properties.headers["traceparent"] == .string(envelope.traceparent!))
        #expect(try EnvelopeCodec().decode(delivery.body) == envelope)
        task.cancel()
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func unknownTypeIsRejectedIntoTheDeadLetterQueue() async throws {
        let connection = try await BusFixture.connect("dead-letters")
        try await connection.declare(AgentryTopology.standard())
        let kind = BusFixture.unique("kind")
        let queue = BusFixture.unique("inbox")
        let watch = BusFixture.unique("dead-watch")  // sees a copy of every dead letter
        try await connection.declare(AMQPTopology(
            queues: [.quorum(queue, deliveryLimit: 5, deadLetterExchange: AgentryTopology.deadExchange), .init(watch)],
            bindings: [
                .init(queue: queue, exchange: AgentryTopology.workExchange, routingKey: kind),
                .init(queue: watch, exchange: AgentryTopology.deadExchange, routingKey: ""),
            ]))
        let marker = UUID().uuidString
        let body = Data(#"{"id":"\#(marker)","type":"run.exploded","version":1,"tenant":"acme","payload":{}}"#.utf8)
        try await connection.publish(AMQPMessage(body: body), exchange: AgentryTopology.workExchange, routingKey: kind)
        let bus = AMQPBus(connection: connection)
        var iterator = try await bus.subscribe(to: queue, prefetch: 1).makeAsyncIterator()
        let delivery = try #require(try await iterator.next())
        let error = #expect(throws: EnvelopeDecodingError.self) { try delivery.envelope() }
        #expect(error?.code == .unknownType("run.exploded"))
        delivery.reject()
        let letters = DeliveryLog()
        let task = try await connection.consume(queue: watch, prefetch: 50).collect(into: letters) { $0.ack() }
        try await eventually("dead-lettered") { await letters.bodies.contains { $0.contains(marker) } }
        let letter = try #require(await letters.deliveries.first { String(decoding: $0.body, as: UTF8.self).contains(marker) })
        #expect(letter.routingKey == kind)
        task.cancel()
        try await connection.delete(queue: queue)
        try await connection.delete(queue: watch)
        await connection.close()
    }
}
