import AgentryBus
import AgentryStore

extension PostgresError {
    /// True for failures that another attempt may cure: the server unreachable, restarting or
    /// shedding load, a lost connection, a serialization failure or deadlock, a timeout.
    public var isTransient: Bool {
        switch code {
        case .connectionFailed, .connectionLost, .timeout: return true
        case .server:
            guard let sqlState else { return false }
            // 08: connection exception; 40001/40P01: serialization failure / deadlock;
            // 53: insufficient resources; 57P0x: operator intervention (shutdown, cannot connect now).
            return sqlState.hasPrefix("08") || isSerializationFailure || sqlState.hasPrefix("53")
                || sqlState.hasPrefix("57P")
        default: return false
        }
    }
}
