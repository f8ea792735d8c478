/// Runs `body`, and throws `error()` if it has not finished within `timeout` (cancelling it).
///
/// `body` must respond to cancellation: the deadline returns once `body` has stopped.
public func withDeadline<T: Sendable>(
    _ timeout: Duration,
    otherwise error: @escaping @Sendable () -> any Error,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        guard let value = first else { throw error() }
        return value
    }
}
