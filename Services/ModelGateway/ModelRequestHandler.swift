import AgentryBus
import AgentryContracts
import AgentryRuntime
import Crypto
import Foundation
import Logging
import Metrics

/// Answers `model.request` envelopes from the `model.requests` queue through the ``ModelRouter``.
///
/// The reply is `Envelope.caused(by: request)` with `correlationId` set to the request's id (the
/// request/reply contract of ``ModelRequest``) and an id derived from the request's id, so a
/// redelivered request produces the same reply envelope and consumers de-duplicate it. It is sent
/// to the request's `reply_to` queue and published as a fact on the events exchange (for the audit
/// log); the delivery is acknowledged only after the broker confirmed both. A `reply_to` queue
/// that no longer exists is logged and skipped: its requester has gone away and would not read it.
/// Neither the reply nor the log ever carries a provider key.
///
/// ```swift
/// let handler = ModelRequestHandler(bus: runtime.bus, router: router, logger: runtime.logger)
/// let consumer = EnvelopeConsumer(queue: ModelRequestHandler.queue, bus: runtime.bus, prefetch: 32,
///                                 logger: runtime.logger, handler: handler.handle)
/// ```
struct ModelRequestHandler: Sendable {
    /// The queue model requests arrive on.
    static let queue = "model.requests"

    private let bus: any MessageBus
    let router: ModelRouter
    private let logger: Logger

    init(bus: any MessageBus, router: ModelRouter, logger: Logger) {
        self.bus = bus
        self.router = router
        self.logger = logger
    }

    /// Replies to one delivery; throws (so the delivery is requeued) when a publish fails or the
    /// database is out of reach for budgets or usage.
    func handle(_ envelope: Envelope, _ delivery: EnvelopeDelivery) async throws {
        guard case .modelRequest(let request) = envelope.payload else {
            throw PermanentFailure("a \(envelope.type.rawValue) envelope does not belong on \(Self.queue)")
        }
        let started = ContinuousClock.now
        let reply = try await router.serve(request, caller: ModelRouter.Caller(
            requestId: envelope.id, tenant: envelope.tenant, runId: envelope.runId, stepId: envelope.stepId))
        let answer = Self.replyEnvelope(for: envelope, reply: reply)
        if let replyTo = delivery.replyTo, !replyTo.isEmpty {
            do {
                try await bus.publish(answer, to: .queue(replyTo), replyTo: nil, delay: nil)
            } catch let error as AMQPError where error.code == .unroutable {
                Counter(label: "agentry_model_replies_unroutable_total").increment()
                logger.warning("reply queue is gone; the reply is published as a fact only", metadata: [
                    "reply.to": "\(replyTo)", "envelope.id": "\(envelope.id.wireString)",
                ])
            }
        }
        try await bus.publishEvent(answer)
        let outcome = reply.error.map { $0.code.rawValue } ?? "ok"
        let alias = request.alias.lowercased()
        Counter(label: "agentry_model_requests_total", dimensions: [
            ("alias", router.configuration.aliases[alias] == nil ? "other" : alias), ("outcome", outcome),
        ]).increment()
        Metrics.Timer(label: "agentry_model_request_seconds", dimensions: [("entry", reply.entry ?? "none")],
              preferredDisplayUnit: .seconds)
            .record(duration: started.duration(to: .now))
        logger.info("model request answered", metadata: [
            "model.alias": "\(request.alias)", "model.purpose": "\(request.purpose ?? "")",
            "model.entry": "\(reply.entry ?? "none")", "model.outcome": "\(outcome)", "model.cached": "\(reply.cached)",
            "model.tokens": "\(reply.promptTokens + reply.completionTokens)", "model.cost_usd": "\(reply.costUSD)",
            "model.tried": "\(reply.tried.joined(separator: ","))", "reply.to": "\(delivery.replyTo ?? "")",
            "run.id": "\(envelope.runId?.uuidString.lowercased() ?? "")",
        ])
    }

    /// The reply envelope for `request`: caused by it, correlated to it, with a derived id.
    static func replyEnvelope(for request: Envelope, reply: ModelReply) -> Envelope {
        var envelope = Envelope.caused(by: request, payload: .modelReply(reply), id: replyId(for: request.id))
        envelope.correlationId = request.id
        return envelope
    }

    /// A name-based id (SHA-256 of `model.reply|<request id>`, version 5 layout): the same request
    /// always gets the same reply id.
    static func replyId(for requestId: UUID) -> UUID {
        let digest = Array(SHA256.hash(data: Data("model.reply|\(requestId.wireString)".utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The JSON settings of the contracts (`EnvelopeCodec`): sorted keys, unescaped slashes.
    static var planEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
