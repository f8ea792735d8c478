import Synchronization

/// Limits how many tasks do something at once (pages open in the browser); the others wait in
/// arrival order, and a waiting task that is cancelled leaves the line.
///
/// ```swift
/// let pages = AsyncSemaphore(permits: 4)
/// let content = try await pages.withPermit { try await session.open(request) }
/// ```
final class AsyncSemaphore: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var lastWaiterID = 0
    }

    private let state: Mutex<State>

    /// A semaphore with `permits` permits (at least 1).
    init(permits: Int) {
        precondition(permits >= 1, "a semaphore needs at least one permit")
        state = Mutex(State(available: permits))
    }

    /// Permits free right now.
    var availablePermits: Int { state.withLock { $0.available } }
    /// Tasks waiting for a permit.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Takes a permit, waiting for one if none is free.
    ///
    /// - Throws: `CancellationError` if the task is cancelled before it gets one.
    func acquire() async throws {
        let id = state.withLock { state -> Int in
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Bool, CancellationError> in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(true)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .success(false)
                }
                switch outcome {
                case .success(true): continuation.resume()
                case .success(false): break
                case .failure(let error): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit: the longest-waiting task gets it, or it becomes free.
    func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }

    /// Runs `body` holding a permit.
    func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
