import Synchronization

/// Named conditions the service needs to do its work (broker connected, database reachable),
/// evaluated on every `GET /readyz`.
///
/// Components register their checks at start-up; a check reads a flag the component keeps
/// current, so it must answer at once and never do I/O of its own.
///
/// ```swift
/// let readiness = ReadinessChecks()
/// readiness.register("broker") { await bus.isConnected }
/// readiness.register("database") { await store.isConnected }
/// ```
public final class ReadinessChecks: Sendable {
    private struct State {
        var checks: [String: @Sendable () async -> Bool] = [:]
        var shuttingDown = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers `check` under `name`, replacing any check already registered under it.
    public func register(_ name: String, _ check: @escaping @Sendable () async -> Bool) {
        state.withLock { $0.checks[name] = check }
    }

    /// Removes the check registered under `name`, if any.
    public func remove(_ name: String) {
        _ = state.withLock { $0.checks.removeValue(forKey: name) }
    }

    /// The registered check names, sorted.
    public var names: [String] {
        state.withLock { $0.checks.keys.sorted() }
    }

    /// Reports not-ready from now on: called when graceful shutdown begins, so load balancers
    /// stop sending work while in-flight work finishes.
    public func markShuttingDown() {
        state.withLock { $0.shuttingDown = true }
    }

    /// Runs every check concurrently and reports the results.
    public func evaluate() async -> ReadinessReport {
        let (checks, shuttingDown) = state.withLock { ($0.checks, $0.shuttingDown) }
        let results = await withTaskGroup(of: (String, Bool).self, returning: [String: Bool].self) { group in
            for (name, check) in checks {
                group.addTask { (name, await check()) }
            }
            var results: [String: Bool] = [:]
            for await (name, passed) in group {
                results[name] = passed
            }
            return results
        }
        return ReadinessReport(checks: results, shuttingDown: shuttingDown)
    }
}
