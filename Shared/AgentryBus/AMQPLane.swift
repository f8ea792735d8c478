internal import CAMQP
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The mailbox of a connection's serial lane: callers on any thread enqueue work, the lane's own
/// thread drains it. The lane sleeps in `poll(2)` on the broker socket and an eventfd; enqueueing
/// writes the eventfd only when the lane is asleep, so a busy lane takes work without syscalls.
final class AMQPLane: Sendable {
    typealias Work = @Sendable (AMQPSession) -> Void

    private struct State {
        var work: [Work] = []
        var sleeping = false
        var accepting = true
        var connected = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        var exited = false
    }

    private let state = Mutex(State())
    /// The eventfd that wakes the lane from `poll(2)`.
    let wakeDescriptor: Int32

    init() {
        wakeDescriptor = camqp_wake_descriptor()
        precondition(wakeDescriptor >= 0, "eventfd failed: errno \(errno)")
    }

    deinit { Glibc.close(wakeDescriptor) }

    /// Queues work for the lane; false once the lane no longer accepts work (the connection closed).
    @discardableResult
    func enqueue(_ work: @escaping Work) -> Bool {
        let wake = state.withLock { state -> Bool? in
            guard state.accepting else { return nil }
            state.work.append(work)
            if state.sleeping {
                state.sleeping = false
                return true
            }
            return false
        }
        guard let wake else { return false }
        if wake { signal() }
        return true
    }

    /// Takes all queued work (lane thread only).
    func takeWork() -> [Work] {
        state.withLock { state in
            let work = state.work
            state.work.removeAll(keepingCapacity: true)
            return work
        }
    }

    /// Marks the lane asleep unless work is waiting; returns false when it must not sleep.
    func prepareToSleep() -> Bool {
        state.withLock { state in
            guard state.work.isEmpty else { return false }
            state.sleeping = true
            return true
        }
    }

    /// Marks the lane awake and, when it was signalled, drains the eventfd.
    func awake(drain: Bool) {
        state.withLock { $0.sleeping = false }
        guard drain else { return }
        var counter: UInt64 = 0
        _ = read(wakeDescriptor, &counter, 8)
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    /// Stops accepting work; returns whatever was still queued so the lane can fail it.
    func stopAccepting() -> [Work] {
        state.withLock { state in
            state.accepting = false
            let work = state.work
            state.work.removeAll()
            return work
        }
    }

    var isAccepting: Bool { state.withLock { $0.accepting } }

    var isConnected: Bool {
        get { state.withLock { $0.connected } }
        set { state.withLock { $0.connected = newValue } }
    }

    /// Called by the lane thread as its last act.
    func markExited() {
        let waiters = state.withLock { state in
            state.exited = true
            let waiters = state.exitWaiters
            state.exitWaiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the lane thread has exited.
    func waitForExit() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.exited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
