import Synchronization

/// Receives one page's DevTools events (from the connection's reader thread) and wakes the task
/// waiting for a lifecycle milestone of the page's document.
final class PageEventSink: Sendable {
    private struct Waiter {
        var id: Int
        var name: String
        var loaderId: String
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var log = PageEventLog()
        var waiters: [Waiter] = []
        var lastWaiterID = 0

        /// Removes the waiters whose milestone was reached, and all the others if the page ended.
        mutating func settle() -> (ready: [Waiter], failed: [Waiter], error: BrowserError?) {
            let log = self.log
            let ready = waiters.filter { log.hasReached($0.name, loaderId: $0.loaderId) }
            waiters.removeAll { log.hasReached($0.name, loaderId: $0.loaderId) }
            guard let ended = log.ended else { return (ready, [], nil) }
            let failed = waiters
            waiters.removeAll()
            return (ready, failed, ended)
        }
    }

    private let state = Mutex(State())

    init() {}

    /// Records an event and resumes the waiters it satisfies (or fails them if the page ended).
    func receive(_ event: CDPEvent) {
        let (ready, failed, error) = state.withLock { state -> ([Waiter], [Waiter], BrowserError?) in
            state.log.record(event)
            return state.settle()
        }
        resume(ready: ready, failed: failed, error: error)
    }

    /// Ends the page for a reason outside its session (the connection closed).
    func end(_ error: BrowserError) {
        let (ready, failed, ended) = state.withLock { state -> ([Waiter], [Waiter], BrowserError?) in
            state.log.end(error)
            return state.settle()
        }
        resume(ready: ready, failed: failed, error: ended)
    }

    /// Tasks waiting in ``wait(for:loaderId:)``.
    var waitingCount: Int {
        state.withLock { $0.waiters.count }
    }

    /// The HTTP status of the document of `loaderId`, if its response arrived.
    func status(loaderId: String) -> Int? {
        state.withLock { $0.log.status(loaderId: loaderId) }
    }

    /// Returns once the document of `loaderId` reached the lifecycle milestone `name`.
    ///
    /// - Throws: the page's ``BrowserError`` if it ends first; `CancellationError` if the task is
    ///   cancelled (a deadline passed).
    func wait(for name: String, loaderId: String) async throws {
        let id = state.withLock { state -> Int in
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Bool, any Error> in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.log.hasReached(name, loaderId: loaderId) { return .success(true) }
                    if let ended = state.log.ended { return .failure(ended) }
                    state.waiters.append(Waiter(id: id, name: name, loaderId: loaderId, continuation: continuation))
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

    private func resume(ready: [Waiter], failed: [Waiter], error: BrowserError?) {
        for waiter in ready { waiter.continuation.resume() }
        if let error { for waiter in failed { waiter.continuation.resume(throwing: error) } }
    }
}
