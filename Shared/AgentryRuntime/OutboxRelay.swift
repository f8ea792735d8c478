import AgentryBus
import AgentryContracts
import AgentryStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Publishes what ``Outbox`` wrote, after its transaction committed, and marks it sent.
///
/// The relay takes a batch of unsent rows with `FOR UPDATE SKIP LOCKED` (so several relays, in
/// several processes, never publish the same row at once), publishes them concurrently with broker
/// confirms, and marks the confirmed ones sent in the same transaction. A crash before that commit
/// publishes the batch again: consumers are idempotent on the envelope id.
///
/// It polls every `pollInterval` and wakes at once when ``wake()`` is called after a local commit.
public final class OutboxRelay: Service, Sendable {
    private let store: PostgresClient
    private let bus: any MessageBus
    private let logger: Logger
    private let batchSize: Int
    private let pollInterval: Duration
    private let signal = WakeSignal()
    private let published = Counter(label: "agentry_outbox_published_total")
    private let failures = Counter(label: "agentry_outbox_publish_failures_total")

    public init(
        store: PostgresClient, bus: any MessageBus, logger: Logger, batchSize: Int = 200,
        pollInterval: Duration = .milliseconds(250)
    ) {
        self.store = store
        self.bus = bus
        self.logger = logger
        self.batchSize = batchSize
        self.pollInterval = pollInterval
    }

    /// Asks the relay to look at the outbox now rather than at its next poll.
    public func wake() { signal.signal() }

    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let relayed = try await relayBatch()
                backoff = .milliseconds(100)
                if relayed < batchSize {
                    await cancelWhenGracefulShutdown { await self.signal.wait(timeout: self.pollInterval) }
                }
            } catch {
                let pause = backoff
                logger.warning("outbox relay failed; backing off", metadata: [
                    "error.message": "\(error)", "backoff": "\(pause)",
                ])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        // A last pass so that what committed before shutdown leaves with this process when it can.
        _ = try? await relayBatch()
    }

    /// Publishes one batch of unsent rows; returns how many were published.
    @discardableResult
    public func relayBatch() async throws -> Int {
        guard bus.isConnected else { throw AMQPError(.notConnected, "broker not connected") }
        let (sent, failed) = try await store.withTransaction { connection -> (Int, Int) in
            let rows = try await connection.query("""
                SELECT id, exchange, routing_key, reply_to, delay_tier, envelope::text AS envelope
                FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT \(self.batchSize)
                FOR UPDATE SKIP LOCKED
                """)
            guard !rows.isEmpty else { return (0, 0) }
            var pending: [(id: Int64, envelope: Envelope, route: Route, replyTo: String?, delay: RetryTier?)] = []
            var failures: [(Int64, String)] = []
            let codec = EnvelopeCodec()
            for row in rows {
                let id = try row.decode(Int64.self, column: "id")
                do {
                    let envelope = try codec.decode(Data(try row.decode(String.self, column: "envelope").utf8))
                    let route = Route(
                        exchange: try row.decode(String.self, column: "exchange"),
                        routingKey: try row.decode(String.self, column: "routing_key"))
                    let delay = try row.decode(String?.self, column: "delay_tier").flatMap(RetryTier.init(rawValue:))
                    pending.append((id, envelope, route, try row.decode(String?.self, column: "reply_to"), delay))
                } catch {
                    failures.append((id, "\(error)"))
                }
            }
            let outcomes = await withTaskGroup(of: (Int64, String?).self) { group in
                for item in pending {
                    group.addTask {
                        do {
                            try await self.bus.publish(item.envelope, to: item.route, replyTo: item.replyTo, delay: item.delay)
                            return (item.id, nil)
                        } catch {
                            return (item.id, "\(error)")
                        }
                    }
                }
                var outcomes: [(Int64, String?)] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            var sent: [Int64] = []
            for (id, error) in outcomes {
                if let error { failures.append((id, error)) } else { sent.append(id) }
            }
            if !sent.isEmpty {
                try await connection.execute("UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY(\(sent))")
            }
            // Rows that failed stay unsent with the reason; the attempt is recorded either way.
            for (id, error) in failures {
                try await connection.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = \(error) WHERE id = \(id)")
            }
            return (sent.count, failures.count)
        }
        published.increment(by: sent)
        if failed > 0 {
            failures.increment(by: failed)
            logger.warning("outbox rows not published", metadata: ["count": "\(failed)"])
            // Nothing got out: the broker is likely in trouble, so the caller backs off.
            if sent == 0 { throw AMQPError(.notConnected, "no outbox row could be published") }
        }
        return sent
    }
}

/// A level-triggered wake-up: ``signal()`` makes the next (or current) ``wait(timeout:)`` return.
final class WakeSignal: Sendable {
    private let state = Mutex<(signalled: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.signalled = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when signalled, or after `timeout`.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // On timeout, and on cancellation, release the waiter. (When a real signal won, this
                // leaves one spare signal behind: the next wait returns at once, a harmless extra pass.)
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.signalled {
                            state.signalled = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
