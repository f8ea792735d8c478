import Dispatch
import Foundation
import Synchronization

/// The serial lane of one libpq connection: a dedicated thread that owns the connection's
/// ``PostgresSession`` and runs queued work one item at a time, so blocking libpq calls never run on
/// Swift's cooperative pool. Async callers wait on a continuation resumed by the lane.
final class PostgresLane: Sendable {
    typealias Work = @Sendable (PostgresSession) -> Void

    private struct State {
        var queue: [Work] = []
        var accepting = true
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Counts queued items plus one for the stop request; the lane thread sleeps on it.
    private let ready = DispatchSemaphore(value: 0)

    private init() {}

    /// Creates a lane and starts its thread.
    static func start(name: String, statementCacheCapacity: Int) -> PostgresLane {
        let lane = PostgresLane()
        let thread = Thread {
            let session = PostgresSession(statementCacheCapacity: statementCacheCapacity)
            lane.run(session)
        }
        thread.name = name
        thread.start()
        return lane
    }

    /// Queues work; false once the lane has stopped accepting work.
    @discardableResult
    func enqueue(_ work: @escaping Work) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard state.accepting else { return false }
            state.queue.append(work)
            return true
        }
        if accepted { ready.signal() }
        return accepted
    }

    /// Runs `body` on the lane and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in
            let accepted = enqueue { session in continuation.resume(with: Result { try body(session) }) }
            if !accepted {
                continuation.resume(throwing: PostgresError(.connectionLost, "the connection is closed", notSent: true))
            }
        }
    }

    /// Stops accepting work; the thread finishes what is queued, closes the connection and exits.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.accepting = false }
            return state.accepting
        }
        if first { ready.signal() }
    }

    /// Stops the lane and waits until its thread has closed the connection and exited.
    func shutdown() async {
        stop()
        await withCheckedContinuation { continuation in
            let exited = state.withLock { state -> Bool in
                if state.exited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    /// The lane thread's loop.
    private func run(_ session: PostgresSession) {
        while true {
            ready.wait()
            let work = state.withLock { state -> Work? in
                state.queue.isEmpty ? nil : state.queue.removeFirst()
            }
            guard let work else { break }
            work(session)
        }
        session.close()
        let waiters = state.withLock { state in
            state.exited = true
            defer { state.exitWaiters.removeAll() }
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
