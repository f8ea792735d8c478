import AgentryBus
import AgentryContracts
import AgentryRuntime
import Crypto
import Foundation
import Logging
import Metrics

/// Answers `model.request` envelopes from the `model.requests` queue.
///
/// A request whose `purpose` is `plan`, `planner` or `replan`, or whose `alias` is `planner`, is
/// served by the ``OfflinePlanner``: the reply's `content` is the plan as JSON. Any other request
/// is answered with a `ModelError` of code `unavailable`, because no model provider is configured.
///
/// The reply is `Envelope.caused(by: request)` with `correlationId` set to the request's id (the
/// request/reply contract of ``ModelRequest``) and an id derived from the request's id, so a
/// redelivered request produces the same reply envelope and consumers de-duplicate it. It is sent
/// to the request's `reply_to` queue and published as a fact on the events exchange (for the audit
/// log); the delivery is acknowledged only after the broker confirmed both. A `reply_to` queue
/// that no longer exists is logged and skipped: its requester has gone away and would not read it.
///
/// ```swift
/// let handler = ModelRequestHandler(bus: runtime.bus, logger: runtime.logger)
/// let consumer = EnvelopeConsumer(queue: ModelRequestHandler.queue, bus: runtime.bus, prefetch: 32,
///                                 logger: runtime.logger, handler: handler.handle)
/// ```
struct ModelRequestHandler: Sendable {
    /// The queue model requests arrive on.
    static let queue = "model.requests"
    /// Purposes the offline planner serves.
    static let planPurposes: Set<String> = ["plan", "planner", "replan"]

    private let bus: any MessageBus
    private let planner: OfflinePlanner
    private let logger: Logger

    init(bus: any MessageBus, planner: OfflinePlanner = OfflinePlanner(), logger: Logger) {
        self.bus = bus
        self.planner = planner
        self.logger = logger
    }

    /// Replies to one delivery; throws (so the delivery is requeued) when a publish fails.
    func handle(_ envelope: Envelope, _ delivery: EnvelopeDelivery) async throws {
        guard case .modelRequest(let request) = envelope.payload else {
            throw PermanentFailure("a \(envelope.type.rawValue) envelope does not belong on \(Self.queue)")
        }
        let started = ContinuousClock.now
        let reply = reply(to: request)
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
        Counter(label: "agentry_model_requests_total", dimensions: [("entry", reply.entry ?? "none"), ("outcome", outcome)])
            .increment()
        Metrics.Timer(label: "agentry_model_request_seconds", dimensions: [("entry", reply.entry ?? "none")],
              preferredDisplayUnit: .seconds)
            .record(duration: started.duration(to: .now))
        logger.info("model request answered", metadata: [
            "model.alias": "\(request.alias)", "model.purpose": "\(request.purpose ?? "")",
            "model.entry": "\(reply.entry ?? "none")", "model.outcome": "\(outcome)",
            "reply.to": "\(delivery.replyTo ?? "")",
        ])
    }

    /// The reply to `request`: a plan from the offline planner, or an error.
    func reply(to request: ModelRequest) -> ModelReply {
        let purpose = request.purpose?.lowercased()
        guard purpose.map(Self.planPurposes.contains) == true || request.alias.lowercased() == "planner" else {
            return ModelReply(content: "", error: ModelError(
                code: .unavailable,
                message: "no model provider is configured for alias \"\(request.alias)\"; this gateway has only "
                    + "its offline planner, which serves requests with purpose \"plan\""))
        }
        let entry = OfflinePlanner.entry
        let promptTokens = Self.estimatedTokens(request.messages.reduce(0) { $0 + $1.content.count })
        do {
            let plan = try planner.plan(for: request.messages)
            let content = try String(decoding: Self.planEncoder.encode(plan), as: UTF8.self)
            return ModelReply(
                content: content, finishReason: "stop", entry: entry, tried: [entry], promptTokens: promptTokens,
                completionTokens: Self.estimatedTokens(content.count), costUSD: 0)
        } catch let error as PlannerError {
            return ModelReply(
                content: "", entry: entry, tried: [entry], promptTokens: promptTokens,
                error: ModelError(code: .invalidRequest, message: error.message))
        } catch {
            return ModelReply(
                content: "", entry: entry, tried: [entry], promptTokens: promptTokens,
                error: ModelError(code: .providerError, message: "the plan could not be encoded: \(error)"))
        }
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

    /// Tokens estimated from characters: one per four, rounded up.
    static func estimatedTokens(_ characters: Int) -> Int {
        (characters + 3) / 4
    }

    /// The JSON settings of the contracts (`EnvelopeCodec`): sorted keys, unescaped slashes.
    static var planEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
