import Foundation

/// What one ``AuditLog/append(_:)`` did.
public struct AuditAppendResult: Sendable, Hashable {
    /// The entries written, in chain order.
    public var appended: [AuditEntry]
    /// Envelopes that were already in the log (or repeated within the batch): nothing was written for them.
    public var duplicates: [UUID]

    /// Creates a result.
    public init(appended: [AuditEntry], duplicates: [UUID]) {
        self.appended = appended
        self.duplicates = duplicates
    }
}
