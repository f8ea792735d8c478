/// A value that could not be encoded or decoded; ``PostgresRow`` and ``PostgresBindings`` wrap it in a
/// ``PostgresError`` with the column or parameter it concerns. Conformances in other modules may throw it.
public struct PostgresCodingFailure: Error, Sendable, CustomStringConvertible {
    /// What was wrong with the value (never the value itself, which may be secret).
    public let reason: String

    /// Creates a failure with a reason.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
