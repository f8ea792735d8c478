import Foundation

/// Raised by ``eventually(timeout:pollEvery:_:)`` when the condition did not hold in time.
public struct ConditionTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Waits until `condition` returns true, checking every `pollEvery`, and throws after `timeout`.
///
/// Tests wait on conditions with deadlines, never on fixed sleeps:
/// ```swift
/// try await eventually("message redelivered") { await received.count == 2 }
/// ```
public func eventually(
    _ what: String = "condition",
    timeout: Duration = .seconds(30),
    pollEvery: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: pollEvery)
    }
    if try await condition() { return }
    throw ConditionTimedOut(description: "\(what) did not hold within \(timeout)")
}

/// Retries `body` until it stops throwing, or rethrows its last error after `timeout`.
public func retrying<T>(
    _ what: String = "operation",
    timeout: Duration = .seconds(30),
    pollEvery: Duration = .milliseconds(100),
    _ body: () async throws -> T
) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
        do {
            return try await body()
        } catch {
            if clock.now >= deadline { throw error }
            try await Task.sleep(for: pollEvery)
        }
    }
}
