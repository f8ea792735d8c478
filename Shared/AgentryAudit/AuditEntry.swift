import Foundation

/// One row of `audit_log` as the chain sees it: its position, hashed content and the two hashes.
public struct AuditEntry: Sendable, Hashable {
    /// The entry's position in the log (`seq`); the chain runs in ascending `seq` order.
    public var seq: Int64
    /// What the hash covers.
    public var content: AuditEntryContent
    /// The hash of the entry before this one, `nil` for the first entry of the log.
    public var prevHash: String?
    /// This entry's hash (``AuditHash/compute(previous:content:)`` of `prevHash` and `content`).
    public var hash: String

    /// Creates an entry.
    public init(seq: Int64, content: AuditEntryContent, prevHash: String?, hash: String) {
        self.seq = seq
        self.content = content
        self.prevHash = prevHash
        self.hash = hash
    }

    /// True when the stored hash is the one the content and the stored `prevHash` give.
    public var hashMatchesContent: Bool {
        AuditHash.compute(previous: prevHash, content: content) == hash
    }
}
