/// Why the model gateway could not answer a ``ModelRequest``.
public struct ModelError: Error, Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// The run's or tenant's budget would be exceeded.
        case overBudget
        /// No provider for the alias could answer (all failed or their circuits are open).
        case unavailable
        /// The request itself is wrong (unknown alias, too long, bad schema).
        case invalidRequest
        /// A provider answered with an error that fail-over could not get around.
        case providerError
    }

    /// The kind of failure.
    public var code: Code
    /// Detail for people (never a secret or a provider key).
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "model \(code.rawValue): \(message)" }
}
