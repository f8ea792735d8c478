import Foundation

/// The first place where the audit chain does not hold.
public struct AuditChainBreak: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the entry.
    public enum Kind: Sendable, Hashable {
        /// The entry's stored hash is not the hash of its stored content and `prev_hash`: the entry
        /// was changed after it was written.
        case hashMismatch(stored: String, recomputed: String)
        /// The entry's `prev_hash` is not the hash of the entry before it (`previousSeq`, `nil` when
        /// the entry is the first of the log and should have no `prev_hash`): an entry was changed,
        /// removed or inserted between the two.
        case prevHashMismatch(previousSeq: Int64?, expected: String?, found: String?)
    }

    /// The entry where the chain breaks.
    public var seq: Int64
    /// The envelope that entry records.
    public var envelopeId: UUID
    /// What is wrong.
    public var kind: Kind

    /// Creates a break.
    public init(seq: Int64, envelopeId: UUID, kind: Kind) {
        self.seq = seq
        self.envelopeId = envelopeId
        self.kind = kind
    }

    /// `entry seq 1234 (envelope …): hash mismatch` or
    /// `entry seq 1234 (envelope …): prev_hash does not match entry 1233`.
    public var description: String {
        let entry = "entry seq \(seq) (envelope \(envelopeId.uuidString.lowercased()))"
        switch kind {
        case .hashMismatch:
            return "\(entry): hash mismatch"
        case .prevHashMismatch(let previousSeq?, _, _):
            return "\(entry): prev_hash does not match entry \(previousSeq)"
        case .prevHashMismatch(nil, _, _):
            return "\(entry): prev_hash is set but no entry precedes it"
        }
    }
}
