/// The back-off tiers of the delay queues (DESIGN.md "The bus"): a message published with a tier
/// waits that long in `agentry.delay.<target>.<tier>`, then is dead-lettered back to its original
/// exchange and routing key.
public enum RetryTier: String, Sendable, CaseIterable, Comparable {
    case oneSecond = "1s"
    case fiveSeconds = "5s"
    case thirtySeconds = "30s"
    case fiveMinutes = "5m"

    /// The delay in milliseconds (the delay queue's `x-message-ttl`).
    public var milliseconds: Int {
        switch self {
        case .oneSecond: 1_000
        case .fiveSeconds: 5_000
        case .thirtySeconds: 30_000
        case .fiveMinutes: 300_000
        }
    }

    /// The tier for a retry attempt (1-based): 1 s, 5 s, 30 s, then 5 min for every later attempt.
    public static func forAttempt(_ attempt: Int) -> RetryTier {
        switch attempt {
        case ...1: .oneSecond
        case 2: .fiveSeconds
        case 3: .thirtySeconds
        default: .fiveMinutes
        }
    }

    public static func < (lhs: RetryTier, rhs: RetryTier) -> Bool { lhs.milliseconds < rhs.milliseconds }
}
