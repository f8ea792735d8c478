/// How much harm a step could do; `high` steps wait for a person's approval.
public enum RiskClass: String, Codable, Sendable, CaseIterable, Comparable {
    /// Reads or computes only.
    case low
    /// Changes something reversible or internal.
    case medium
    /// Changes something visible or irreversible (sends a message, writes data): needs approval.
    case high

    /// True when a step of this class needs an approval before it is dispatched.
    public var requiresApproval: Bool { self == .high }

    public static func < (lhs: RiskClass, rhs: RiskClass) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }
}
