@testable import AgentryHTTP
import Foundation

/// Runs `body` with a fresh client and shuts it down afterwards.
func withClient<T>(
    _ configuration: HTTPClient.Configuration = .init(),
    _ body: (HTTPClient) async throws -> T
) async throws -> T {
    let client = HTTPClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// The `HTTPClientError` thrown by `body`, or a failure if it returned or threw something else.
func httpError(_ body: () async throws -> Void) async -> HTTPClientError? {
    do {
        try await body()
        return nil
    } catch let error as HTTPClientError {
        return error
    } catch {
        return nil
    }
}

/// Fails with `ConditionFailed` if `body` does not finish within `timeout`, so a broken stream
/// shows up as a failure rather than a hung test run.
func withDeadline<T: Sendable>(
    _ timeout: Duration = .seconds(30),
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw ConditionFailed("did not finish within \(timeout)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
