/// The error `JSONSchemaValidator.validate(_:)` throws: every violation found, up to the validator's limit.
///
/// Its `description` lists them one per line, ready to send back to a model that must correct its reply.
public struct JSONSchemaViolations: Error, Sendable, Hashable, CustomStringConvertible {
    /// The violations, in the order they were found; never empty when thrown.
    public var violations: [JSONSchemaViolation]

    /// Wraps `violations`.
    public init(_ violations: [JSONSchemaViolation]) {
        self.violations = violations
    }

    /// One line per violation, e.g. `/steps/0/specialist: must be one of "code", "data"`.
    public var description: String {
        violations.map(\.description).joined(separator: "\n")
    }
}
