/// The outcome of evaluating every readiness check once.
public struct ReadinessReport: Sendable, Equatable {
    /// Each check's name and whether it passed.
    public let checks: [String: Bool]
    /// True once graceful shutdown has begun: the service takes no new work.
    public let shuttingDown: Bool

    public init(checks: [String: Bool], shuttingDown: Bool) {
        self.checks = checks
        self.shuttingDown = shuttingDown
    }

    /// True when every check passed and the service is not shutting down.
    public var isReady: Bool { !shuttingDown && checks.values.allSatisfy { $0 } }

    /// The names of the checks that failed, sorted; `shutdown` first while shutting down.
    public var failing: [String] {
        (shuttingDown ? ["shutdown"] : []) + checks.filter { !$0.value }.keys.sorted()
    }
}
