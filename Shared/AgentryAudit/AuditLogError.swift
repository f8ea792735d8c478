/// An audit log operation that cannot complete for a reason other than a database error.
public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case inconsistentInsert = "inconsistent_insert"
        case inconsistentRendering = "inconsistent_rendering"
    }

    private let code: Code
    /// What happened, for people.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The inserted rows did not come back in the order, or with the payload text, the hashes were
    /// computed for; the transaction is rolled back rather than committing a chain that would not verify.
    static func inconsistentInsert(_ message: String) -> AuditLogError { AuditLogError(.inconsistentInsert, message) }

    /// The server rendered a different number of payloads than it was given.
    static func inconsistentRendering(_ message: String) -> AuditLogError {
        AuditLogError(.inconsistentRendering, message)
    }

    /// A short, stable name safe to use as a metric label.
    public var shortDescription: String { code.rawValue }

    public var description: String { "audit log \(code.rawValue): \(message)" }
}
