import AgentryBus
import AgentryChannels
import AgentryContracts
import AgentryRuntime
import Foundation
import Logging

/// Tells people about runs: consumes `notifier.inbox` (`run.completed`, `run.failed`,
/// `approval.requested`), reads the run, composes the message and delivers it to where the run
/// came from, once per fact (the ledger's idempotency key is `notify:<type>:<run>[:<approval>]`).
///
/// The director commits a run before it publishes anything about it, so a run missing from the
/// database is an anomaly (a notifier pointed at another database, a run deleted by hand). The
/// envelope is requeued a few times, in case the read raced a failover, and then dead-lettered with
/// the reason, where `agentry dlq` can replay it once the cause is fixed.
struct Notifier: Sendable {
    let runs: any NotifierRunStore
    let deliverer: any MessageDeliverer
    let logger: Logger
    /// Deliveries of an envelope whose run is missing before it is dead-lettered.
    var missingRunAttempts = 4
    /// Longest wait honoured from an endpoint's `Retry-After` before the envelope is requeued.
    var maxRetryAfterPause: Duration = .seconds(10)

    /// A run the envelope names is not in the database (yet); the envelope is requeued.
    struct RunNotFound: Error, CustomStringConvertible {
        let runId: UUID
        var description: String { "run \(runId.uuidString.lowercased()) is not in the database" }
    }

    /// The consumer of `notifier.inbox` (or of `queue`, for tests).
    func service(bus: any MessageBus, prefetch: Int, queue: String = "notifier.inbox") -> EnvelopeConsumer {
        EnvelopeConsumer(queue: queue, bus: bus, prefetch: prefetch, logger: logger) { envelope, delivery in
            _ = try await handle(envelope, deliveryCount: delivery.deliveryCount)
        }
    }

    /// Notifies about one envelope. Returns the delivery's receipt; the caller acks when it returns.
    ///
    /// - Parameter deliveryCount: How many times the envelope was delivered before.
    /// - Throws: ``PermanentFailure`` for an envelope that can never be notified (a type the notifier
    ///   does not handle, no run id, a run still missing after ``missingRunAttempts`` deliveries, an
    ///   endpoint refusing the message for good); other errors requeue it.
    func handle(_ envelope: Envelope, deliveryCount: Int) async throws -> DeliveryReceipt {
        guard let fact = NotifierFact(envelope.payload) else {
            throw PermanentFailure("the notifier does not handle \(envelope.type.rawValue) envelopes")
        }
        guard let runId = envelope.runId else {
            throw PermanentFailure("\(envelope.type.rawValue) \(envelope.id.uuidString.lowercased()) names no run")
        }
        guard let run = try await runs.run(runId) else {
            let failure = RunNotFound(runId: runId)
            if deliveryCount + 1 >= missingRunAttempts {
                throw PermanentFailure("\(failure) after \(deliveryCount + 1) deliveries")
            }
            logger.warning("run not found; requeueing", metadata: [
                "run.id": "\(runId.uuidString.lowercased())", "delivery.count": "\(deliveryCount)",
            ])
            throw failure
        }
        let stepId = fact.stepId
        let step = try await stepId.asyncMap { try await runs.step(runId: runId, stepId: $0) } ?? nil
        let content = NotificationComposer.compose(fact, run: run, step: step)
        let message = NotificationRouter.message(for: content, run: run)
        let key = fact.idempotencyKey(runId: runId)
        do {
            let receipt = try await deliverer.deliver(
                message, key: key, context: .notification(runId: runId, stepId: stepId))
            logger.info(receipt.isReplay ? "notified before; not again" : "notified", metadata: [
                "run.id": "\(runId.uuidString.lowercased())", "delivery.channel": "\(receipt.channel.rawValue)",
                "delivery.status": "\(receipt.status.rawValue)", "delivery.target": "\(receipt.target)",
            ])
            return receipt
        } catch let error as ChannelError where !error.isRetryable {
            throw PermanentFailure("\(error)")
        } catch let error as ChannelError {
            if let wait = error.retryAfter { try? await Task.sleep(for: min(wait, maxRetryAfterPause)) }
            throw error
        }
    }
}

extension Optional {
    /// `map` with an asynchronous transform.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
