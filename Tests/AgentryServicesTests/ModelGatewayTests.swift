import AgentryBus
import AgentryContracts
import AgentryRuntime
import AgentryTestSupport
import Foundation
import Logging
import Testing

@testable import AgentryModelGateway

/// The model gateway's request handling over the in-memory bus: replies go to `reply_to` and to
/// the events exchange, are confirmed before the ack, and are the same envelope on redelivery.
@Suite struct ModelGatewayTests {
    static let logger: Logger = {
        var logger = Logger(label: "model-gateway-tests")
        logger.logLevel = .critical
        return logger
    }()

    static let replyQueue = "test.model.replies"

    static func bus() -> InMemoryBus {
        let bus = InMemoryBus()
        bus.declare(AMQPTopology(queues: [.init(replyQueue)]))
        return bus
    }

    static func request(_ text: String, purpose: String? = "plan", alias: String = "planner") -> Envelope {
        Envelope(
            tenant: "acme", runId: UUID(), correlationId: UUID(),
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            payload: .modelRequest(ModelRequest(
                alias: alias, messages: [.system("Plan the request."), .user(text)],
                responseFormat: .jsonObject, purpose: purpose)))
    }

    /// A delivery of `envelope` that records how it was settled.
    static func delivery(_ envelope: Envelope, replyTo: String?) -> EnvelopeDelivery {
        EnvelopeDelivery(
            result: .success(envelope), routingKey: "model.request", deliveryCount: 0, replyTo: replyTo,
            settler: { _ in })
    }

    /// A router with no provider: the offline planner only, no store.
    static func router() -> ModelRouter {
        ModelRouter(configuration: .offlineOnly, providers: [:], store: nil, logger: logger)
    }

    static func payload(_ envelope: Envelope) throws -> ModelReply {
        try #require(envelope.payload.as(ModelReply.self))
    }

    @Test func planRequestIsAnsweredOnTheReplyQueueAndAsAFactBeforeTheAck() async throws {
        let bus = Self.bus()
        let handler = ModelRequestHandler(bus: bus, router: Self.router(), logger: Self.logger)
        let consumer = EnvelopeConsumer(
            queue: ModelRequestHandler.queue, bus: bus, prefetch: 4, logger: Self.logger, handler: handler.handle)
        let task = Task { try await consumer.run() }
        defer { task.cancel() }
        let request = Self.request("summarise the open incidents and post them to #ops")
        try await bus.publish(request, to: .event(.modelRequest), replyTo: Self.replyQueue, delay: nil)

        try await eventually("reply delivered") { bus.readyCount(Self.replyQueue) == 1 }
        try await eventually("request acknowledged") {
            bus.readyCount(ModelRequestHandler.queue) == 0 && bus.unsettledCount(ModelRequestHandler.queue) == 0
        }
        let reply = try #require(bus.readyEnvelopes(Self.replyQueue).first)
        #expect(reply.type == .modelReply)
        #expect(reply.causationId == request.id)
        #expect(reply.correlationId == request.id)
        #expect(reply.runId == request.runId)
        #expect(reply.tenant == "acme")
        #expect(reply.traceparent == request.traceparent)
        let payload = try Self.payload(reply)
        #expect(payload.error == nil)
        #expect(payload.entry == "offline/planner")
        #expect(payload.tried == ["offline/planner"])
        #expect(payload.finishReason == "stop")
        #expect(payload.costUSD == 0)
        #expect(payload.promptTokens == (4 + ("Plan the request.".utf8.count + 3) / 4)
            + (4 + ("summarise the open incidents and post them to #ops".utf8.count + 3) / 4))
        #expect(payload.completionTokens == (payload.content.count + 3) / 4)
        let plan = try JSONDecoder().decode(Plan.self, from: Data(payload.content.utf8))
        #expect(plan.isValid)
        #expect(plan.steps.map(\.tool) == ["sql.query", "slack.post"])
        #expect(payload.content == String(decoding: try ModelRequestHandler.planEncoder.encode(plan), as: UTF8.self))

        let facts = bus.published.filter { $0.route == .event(.modelReply) }
        #expect(facts.map(\.envelope) == [reply])
        #expect(bus.readyEnvelopes("audit.log").contains(reply))
    }

    @Test func requestsWithoutAProviderAreAnsweredUnavailable() async throws {
        let bus = Self.bus()
        let request = Self.request("Summarise this thread", purpose: "summarize", alias: "summarizer")
        try await ModelRequestHandler(bus: bus, router: Self.router(), logger: Self.logger)
            .handle(request, Self.delivery(request, replyTo: Self.replyQueue))
        let reply = try Self.payload(try #require(bus.readyEnvelopes(Self.replyQueue).first))
        #expect(reply.error?.code == .unavailable)
        #expect(reply.error?.message.contains("summarizer") == true)
        #expect(reply.content.isEmpty)
        #expect(reply.costUSD == 0)
    }

    @Test(arguments: ["plan", "PLANNER", "replan", nil])
    func planningPurposesAndThePlannerAliasAreServed(purpose: String?) async throws {
        let handler = ModelRequestHandler(bus: Self.bus(), router: Self.router(), logger: Self.logger)
        let request = ModelRequest(alias: purpose == nil ? "planner" : "default", messages: [.user("open https://example.com")],
                                   purpose: purpose)
        let reply = try await handler.router.serve(request, caller: .init(requestId: UUID(), tenant: "acme"))
        #expect(reply.error == nil)
        #expect(try JSONDecoder().decode(Plan.self, from: Data(reply.content.utf8)).steps.map(\.tool) == ["browser.open"])
    }

    @Test func requestsThePlannerCannotReadGetAClearError() async throws {
        let bus = Self.bus()
        let request = Self.request("book me a flight to Lisbon")
        try await ModelRequestHandler(bus: bus, router: Self.router(), logger: Self.logger)
            .handle(request, Self.delivery(request, replyTo: Self.replyQueue))
        let reply = try Self.payload(try #require(bus.readyEnvelopes(Self.replyQueue).first))
        #expect(reply.error?.code == .invalidRequest)
        #expect(reply.error?.message.contains("understands") == true)
        #expect(reply.entry == "offline/planner")
    }

    @Test func withoutReplyToOnlyTheFactIsPublished() async throws {
        let bus = Self.bus()
        let request = Self.request("open https://example.com")
        try await ModelRequestHandler(bus: bus, router: Self.router(), logger: Self.logger).handle(request, Self.delivery(request, replyTo: nil))
        #expect(bus.published.map(\.route) == [.event(.modelReply)])
        #expect(bus.readyCount(Self.replyQueue) == 0)
    }

    @Test func aVanishedReplyQueueStillPublishesTheFact() async throws {
        let bus = Self.bus()
        let request = Self.request("open https://example.com")
        try await ModelRequestHandler(bus: bus, router: Self.router(), logger: Self.logger)
            .handle(request, Self.delivery(request, replyTo: "test.nobody.listens"))
        #expect(bus.published.map(\.route) == [.event(.modelReply)])
    }

    @Test func aBrokerOutageFailsTheHandlerSoTheRequestIsRequeued() async throws {
        let bus = Self.bus()
        bus.isConnected = false
        let request = Self.request("open https://example.com")
        await #expect(throws: AMQPError.self) {
            try await ModelRequestHandler(bus: bus, router: Self.router(), logger: Self.logger)
                .handle(request, Self.delivery(request, replyTo: Self.replyQueue))
        }
    }

    @Test func otherEnvelopesAreDeadLettered() async throws {
        let envelope = Envelope(tenant: "acme", payload: .runFailed(RunFailed(reason: "x")))
        await #expect(throws: PermanentFailure.self) {
            try await ModelRequestHandler(bus: Self.bus(), router: Self.router(), logger: Self.logger)
                .handle(envelope, Self.delivery(envelope, replyTo: nil))
        }
    }

    @Test func aRedeliveredRequestGetsTheSameReplyId() throws {
        let request = Self.request("open https://example.com")
        let reply = ModelReply(content: "{}")
        let first = ModelRequestHandler.replyEnvelope(for: request, reply: reply)
        let again = ModelRequestHandler.replyEnvelope(for: request, reply: reply)
        #expect(first.id == again.id)
        #expect(first.id != request.id)
        #expect(ModelRequestHandler.replyEnvelope(for: Self.request("open https://example.com"), reply: reply).id != first.id)
        let text = first.id.wireString
        #expect(text[text.index(text.startIndex, offsetBy: 14)] == "5")
        #expect("89ab".contains(text[text.index(text.startIndex, offsetBy: 19)]))
    }
}
