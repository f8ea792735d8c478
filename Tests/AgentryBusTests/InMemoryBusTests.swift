import AgentryBus
import AgentryContracts
import AgentryTestSupport
import Foundation
import Testing

@Suite struct InMemoryBusTests {
    func envelope(_ reason: String = "stop") -> Envelope {
        Envelope(tenant: "acme", runId: UUID(), payload: .runControl(RunControl(action: .cancel, reason: reason)))
    }

    @Test func routesFactsToBoundInboxesAndAcks() async throws {
        let bus = InMemoryBus()
        let sent = envelope()
        try await bus.publishEvent(sent)
        #expect(bus.readyCount("director.inbox") == 1)
        #expect(bus.readyCount("audit.log") == 1)
        #expect(bus.readyCount("notifier.inbox") == 0)
        var iterator = try await bus.subscribe(to: "director.inbox", prefetch: 1).makeAsyncIterator()
        let delivery = try #require(try await iterator.next())
        #expect(try delivery.envelope() == sent)
        #expect(bus.unsettledCount("director.inbox") == 1)
        delivery.ack()
        #expect(bus.unsettledCount("director.inbox") == 0)
        #expect(bus.readyCount("director.inbox") == 0)
    }

    @Test func unroutableAndDisconnectedPublishesFail() async throws {
        let bus = InMemoryBus()
        await #expect(throws: AMQPError.self) {
            try await bus.publish(envelope(), to: .work("no-such-kind"))
        }
        bus.isConnected = false
        let error = await #expect(throws: AMQPError.self) { try await bus.publishEvent(envelope()) }
        #expect(error?.code == .notConnected)
        #expect(bus.published.isEmpty)
    }

    @Test func requeuedPastTheLimitIsDeadLettered() async throws {
        let bus = InMemoryBus(topology: AgentryTopology.standard(deliveryLimit: 2))
        try await bus.publish(envelope(), to: .work("code"))
        var iterator = try await bus.subscribe(to: "work.code", prefetch: 1).makeAsyncIterator()
        var counts: [Int] = []
        for _ in 0..<3 {
            let delivery = try #require(try await iterator.next())
            counts.append(delivery.deliveryCount)
            delivery.requeue()
        }
        #expect(counts == [0, 1, 2])
        #expect(bus.readyCount("work.code") == 0)
        #expect(bus.readyCount("dead.letters") == 1)
    }

    @Test func undecodableMessagesAreRejectedToTheDeadLetterQueue() async throws {
        let bus = InMemoryBus()
        try bus.publishRaw(Data(#"{"type":"run.exploded","version":1}"#.utf8), to: .work("data"))
        var iterator = try await bus.subscribe(to: "work.data", prefetch: 1).makeAsyncIterator()
        let delivery = try #require(try await iterator.next())
        #expect(throws: EnvelopeDecodingError.self) { try delivery.envelope() }
        delivery.reject()
        #expect(bus.readyCount("dead.letters") == 1)
    }

    @Test func prefetchBoundsUnsettledDeliveries() async throws {
        let bus = InMemoryBus()
        for index in 0..<5 { try await bus.publish(envelope("\(index)"), to: .work("comm")) }
        _ = try await bus.subscribe(to: "work.comm", prefetch: 2)
        #expect(bus.unsettledCount("work.comm") == 2)
        #expect(bus.readyCount("work.comm") == 3)
        bus.dropSubscribers(of: "work.comm")
        #expect(bus.readyCount("work.comm") == 5)
    }

    @Test func delayedMessagesWaitUntilReleased() async throws {
        let bus = InMemoryBus()
        try await bus.publish(envelope(), to: .work("browser"), replyTo: nil, delay: .fiveSeconds)
        #expect(bus.readyCount("work.browser") == 0)
        #expect(bus.delayedCount == 1)
        bus.releaseDelayed()
        #expect(bus.readyCount("work.browser") == 1)
    }

    @Test(arguments: [
        ("#", "run.requested", true), ("run.*", "run.requested", true), ("run.*", "run.a.b", false),
        ("run.#", "run", true), ("*.completed", "step.completed", true), ("step.completed", "step.failed", false),
        ("#.failed", "run.step.failed", true), ("a.*.c", "a.b.c", true), ("a.*.c", "a.c", false),
    ])
    func topicPatterns(pattern: String, key: String, matches: Bool) {
        #expect(TopicPattern.matches(pattern, key) == matches)
    }
}
