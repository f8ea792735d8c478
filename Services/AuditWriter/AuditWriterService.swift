import AgentryAudit
import AgentryBus
import AgentryContracts
import AgentryStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Consumes the audit queue (`audit.log`, bound to `#` on `agentry.events`) and appends the
/// envelopes to the audit log in batches.
///
/// Deliveries are collected until the batch holds ``AuditWriterConfiguration/batchSize`` envelopes
/// or ``AuditWriterConfiguration/batchWindow`` has passed since its first one arrived; the batch is
/// appended in one transaction (``AuditLog/append(_:)``) and every delivery of it is acknowledged
/// only after that transaction committed. A redelivered envelope adds nothing to the log and is
/// acknowledged again.
///
/// Failures:
/// - an undecodable delivery (unknown type or version, malformed JSON) is dead-lettered at once;
/// - a failure caused by the batch's content (SQLSTATE classes 22 and 23, a value that cannot be
///   bound) sends the batch through again one envelope at a time, so that only the envelope
///   PostgreSQL refuses is dead-lettered;
/// - any other failure (the database unreachable, restarting, locked, misconfigured) keeps the
///   batch unacknowledged and retries it with jittered exponential back-off, so a long outage
///   dead-letters nothing; on graceful shutdown the batch is handed back to the queue instead.
///
/// On graceful shutdown it stops consuming, appends what it has collected, acknowledges it, hands
/// back anything that arrived meanwhile and returns.
struct AuditWriterService: Service {
    private let configuration: AuditWriterConfiguration
    private let bus: any MessageBus
    private let sink: any AuditSink
    private let logger: Logger
    private let initialRetryDelay: Duration
    private let maximumRetryDelay: Duration
    private let metrics = Metrics()

    init(
        configuration: AuditWriterConfiguration, bus: any MessageBus, sink: any AuditSink, logger: Logger,
        initialRetryDelay: Duration = .milliseconds(100), maximumRetryDelay: Duration = .seconds(5)
    ) {
        self.configuration = configuration
        self.bus = bus
        self.sink = sink
        self.logger = logger
        self.initialRetryDelay = initialRetryDelay
        self.maximumRetryDelay = maximumRetryDelay
    }

    func run() async throws {
        let queue = configuration.queue
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let subscription = try await bus.subscribe(to: queue, prefetch: configuration.prefetch)
                logger.info("consuming", metadata: [
                    "queue": "\(queue)", "prefetch": "\(configuration.prefetch)",
                    "batch.size": "\(configuration.batchSize)",
                ])
                try await consume(subscription)
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                logger.warning("subscription ended; subscribing again", metadata: ["queue": "\(queue)"])
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                logger.warning("consuming failed; subscribing again", metadata: [
                    "queue": "\(queue)", "error.message": "\(error)",
                ])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        logger.info("stopped consuming", metadata: ["queue": "\(queue)"])
    }

    /// What the batching loop reacts to.
    private enum Event: Sendable {
        case delivery(EnvelopeDelivery)
        /// The window of the batch with this number has passed.
        case windowElapsed(Int)
        /// The subscription ended, with the error that ended it if any.
        case ended((any Error)?)
        /// Graceful shutdown began.
        case shutdown
    }

    /// One collected delivery.
    private struct Item: Sendable {
        let envelope: Envelope
        let delivery: EnvelopeDelivery
    }

    /// Collects the subscription's deliveries into batches and appends them until the subscription
    /// ends or graceful shutdown begins. The batch being collected then is appended before this
    /// returns; deliveries that arrive after the shutdown began are handed back to the queue.
    private func consume(_ subscription: EnvelopeSubscription) async throws {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let window = configuration.batchWindow
        var failure: (any Error)?
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    do {
                        for try await delivery in subscription { continuation.yield(.delivery(delivery)) }
                        continuation.yield(.ended(nil))
                    } catch {
                        continuation.yield(.ended(error))
                    }
                }
                var batch: [Item] = []
                var batchNumber = 0
                collecting: for await event in events {
                    switch event {
                    case .delivery(let delivery):
                        guard let envelope = accept(delivery) else { continue }
                        batch.append(Item(envelope: envelope, delivery: delivery))
                        logger.trace("envelope collected", metadata: [
                            "envelope.id": "\(envelope.id.uuidString.lowercased())", "batch.pending": "\(batch.count)",
                        ])
                        if batch.count == 1 {
                            batchNumber += 1
                            let number = batchNumber
                            group.addTask {
                                try? await Task.sleep(for: window)
                                continuation.yield(.windowElapsed(number))
                            }
                        }
                        if batch.count >= configuration.batchSize {
                            await flush(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    case .windowElapsed(let number):
                        if number == batchNumber, !batch.isEmpty {
                            await flush(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    case .ended(let error):
                        failure = error
                        break collecting
                    case .shutdown:
                        break collecting
                    }
                }
                // Stop taking deliveries (and the window timers), then settle what was collected.
                group.cancelAll()
                if !batch.isEmpty { await flush(batch) }
                continuation.finish()
                for await event in events {
                    if case .delivery(let delivery) = event { delivery.requeue() }
                }
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdown)
        }
        if let failure { throw failure }
    }

    /// The delivery's envelope, or nil after dead-lettering a delivery that does not decode.
    private func accept(_ delivery: EnvelopeDelivery) -> Envelope? {
        switch delivery.result {
        case .success(let envelope):
            return envelope
        case .failure(let error):
            logger.error("undecodable envelope dead-lettered", metadata: [
                "queue": "\(configuration.queue)", "routing.key": "\(delivery.routingKey)",
                "error.message": "\(error)",
            ])
            delivery.reject()
            metrics.deadLettered.increment()
            return nil
        }
    }

    /// Appends a batch and settles its deliveries (see the type's documentation for failures).
    private func flush(_ batch: [Item]) async {
        var delay = initialRetryDelay
        while true {
            let started = ContinuousClock.now
            do {
                let result = try await sink.append(batch.map(\.envelope))
                for item in batch { item.delivery.ack() }
                let elapsed = started.duration(to: .now)
                metrics.batchDuration.recordNanoseconds(
                    elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                metrics.appended.increment(by: result.appended.count)
                metrics.duplicates.increment(by: result.duplicates.count)
                logger.debug("batch appended", metadata: [
                    "batch.size": "\(batch.count)", "appended": "\(result.appended.count)",
                    "duplicates": "\(result.duplicates.count)",
                    "head.seq": "\(result.appended.last.map { String($0.seq) } ?? "-")",
                ])
                return
            } catch {
                if Self.isCausedByContent(error) {
                    metrics.contentFailures.increment()
                    guard batch.count > 1 else {
                        deadLetter(batch[0], error)
                        return
                    }
                    logger.warning("batch refused; appending its envelopes one at a time", metadata: [
                        "batch.size": "\(batch.count)", "error.message": "\(error)",
                    ])
                    for item in batch { await flush([item]) }
                    return
                }
                metrics.transientFailures.increment()
                if Task.isShuttingDownGracefully || Task.isCancelled {
                    logger.warning("appending failed while stopping; batch handed back to the queue", metadata: [
                        "batch.size": "\(batch.count)", "error.message": "\(error)",
                    ])
                    for item in batch { item.delivery.requeue() }
                    return
                }
                logger.warning("appending failed; retrying", metadata: [
                    "batch.size": "\(batch.count)", "retry.in": "\(delay)", "error.message": "\(error)",
                ])
                try? await Task.sleep(for: Self.jittered(delay))
                delay = min(delay * 2, maximumRetryDelay)
            }
        }
    }

    private func deadLetter(_ item: Item, _ error: any Error) {
        logger.error("envelope refused by the audit log; dead-lettered", metadata: [
            "envelope.id": "\(item.envelope.id.uuidString.lowercased())",
            "envelope.type": "\(item.envelope.type.rawValue)", "error.message": "\(error)",
        ])
        item.delivery.reject()
        metrics.deadLettered.increment()
    }

    /// True when an append failed because of what the envelopes contain (PostgreSQL refused a
    /// value), so that appending them again unchanged would fail again; false for failures of the
    /// database itself, which retrying cures.
    static func isCausedByContent(_ error: any Error) -> Bool {
        if error is EncodingError { return true }
        guard let error = error as? PostgresError else { return false }
        switch error.code {
        case .encoding:
            return true
        case .server:
            // 22: data exception (invalid JSON, a character jsonb cannot hold); 23: integrity constraint.
            guard let state = error.sqlState else { return false }
            return state.hasPrefix("22") || state.hasPrefix("23")
        default:
            return false
        }
    }

    /// `delay` scaled by a random factor between 0.5 and 1, so writers do not retry in lockstep.
    static func jittered(_ delay: Duration) -> Duration {
        delay * Double.random(in: 0.5...1.0)
    }

    /// The writer's metrics.
    private struct Metrics: Sendable {
        let appended = Counter(label: "agentry_audit_entries_total", dimensions: [("outcome", "appended")])
        let duplicates = Counter(label: "agentry_audit_entries_total", dimensions: [("outcome", "duplicate")])
        let deadLettered = Counter(label: "agentry_audit_entries_total", dimensions: [("outcome", "dead_letter")])
        let transientFailures = Counter(label: "agentry_audit_append_failures_total", dimensions: [("cause", "database")])
        let contentFailures = Counter(label: "agentry_audit_append_failures_total", dimensions: [("cause", "content")])
        let batchDuration = Timer(label: "agentry_audit_batch_seconds", preferredDisplayUnit: .seconds)
    }
}
