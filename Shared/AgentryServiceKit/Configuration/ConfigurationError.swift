/// A configuration value is missing, unreadable or invalid. The message names the variable and
/// never contains a secret.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// The value cannot be used (not a number, out of range, unknown choice, wrong URL scheme).
        case invalidValue = "invalid_value"
        /// `<KEY>_FILE` names a file that cannot be read.
        case unreadableFile = "unreadable_file"
        /// Both `<KEY>` and `<KEY>_FILE` are set, so it is unclear which one is meant.
        case conflictingSources = "conflicting_sources"
    }

    /// What went wrong.
    public let code: Code
    /// The environment variable at fault, e.g. `AGENTRY_HTTP_PORT`.
    public let key: String
    /// Why, for the operator.
    public let reason: String

    public init(_ code: Code, key: String, reason: String) {
        self.code = code
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}
