/// Checks audit entries in `seq` order, with no I/O: each entry's hash must be the hash of its
/// content and `prev_hash`, and its `prev_hash` must be the hash of the entry before it.
///
/// ```swift
/// var checker = AuditChainChecker()
/// for entry in entries {                      // ascending seq, from the first entry of the log
///     if let broken = checker.check(entry) { print(broken); break }
/// }
/// print("\(checker.checked) entries, head \(checker.head?.hash ?? "none")")
/// ```
public struct AuditChainChecker: Sendable {
    /// The last entry that checked out: its `seq` and hash.
    public private(set) var head: (seq: Int64, hash: String)?
    /// How many entries checked out.
    public private(set) var checked = 0

    /// A checker for a chain read from the first entry of the log.
    public init() {}

    /// Checks the entry that follows the last one checked (or the first entry of the log); returns
    /// the break if the chain does not hold there, and then stops advancing.
    public mutating func check(_ entry: AuditEntry) -> AuditChainBreak? {
        if let broken = Self.check(entry, predecessor: head) { return broken }
        head = (entry.seq, entry.hash)
        checked += 1
        return nil
    }

    /// Checks one entry against the entry before it in the whole log (`nil` when it is the first).
    public static func check(_ entry: AuditEntry, predecessor: (seq: Int64, hash: String)?) -> AuditChainBreak? {
        let recomputed = AuditHash.compute(previous: entry.prevHash, content: entry.content)
        guard recomputed == entry.hash else {
            return AuditChainBreak(
                seq: entry.seq, envelopeId: entry.content.envelopeId,
                kind: .hashMismatch(stored: entry.hash, recomputed: recomputed))
        }
        guard entry.prevHash == predecessor?.hash else {
            return AuditChainBreak(
                seq: entry.seq, envelopeId: entry.content.envelopeId,
                kind: .prevHashMismatch(previousSeq: predecessor?.seq, expected: predecessor?.hash, found: entry.prevHash))
        }
        return nil
    }
}
