import Synchronization

/// Waits for work for at most a given time.
enum Deadline {
    /// The work did not finish in time.
    struct Exceeded: Error, CustomStringConvertible {
        let timeout: Duration
        var description: String { "no answer within \(timeout)" }
    }

    /// Runs `work` and returns when it finishes or when `timeout` has passed, whichever is first.
    ///
    /// Work that runs late is not cancelled (a broker publish cannot be taken back); it finishes in
    /// the background and its result is dropped.
    ///
    /// - Throws: ``Exceeded`` after `timeout`, or what `work` throws.
    static func run(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> Void) async throws {
        let race = Race()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            race.start(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { race.finish(.failure(Exceeded(timeout: timeout))) }
            }
            Task {
                let result: Result<Void, any Error>
                do {
                    try await work()
                    result = .success(())
                } catch {
                    result = .failure(error)
                }
                timer.cancel()
                race.finish(result)
            }
        }
    }

    /// Resumes a continuation once, with whichever result comes first.
    private final class Race: Sendable {
        private let continuation = Mutex<CheckedContinuation<Void, any Error>?>(nil)

        func start(_ continuation: CheckedContinuation<Void, any Error>) {
            self.continuation.withLock { $0 = continuation }
        }

        func finish(_ result: Result<Void, any Error>) {
            let waiting = continuation.withLock { state in
                defer { state = nil }
                return state
            }
            waiting?.resume(with: result)
        }
    }
}
