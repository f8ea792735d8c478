import AgentryAudit
import Foundation
import Testing

/// The chain check without a database: links, tampering and the messages that name the break.
@Suite struct AuditChainCheckerTests {
    /// A valid chain of `count` entries with seq 1...count (or the given seqs).
    static func chain(_ seqs: [Int64]) -> [AuditEntry] {
        var previous: String?
        return seqs.map { seq in
            let content = AuditEntryContent(
                envelopeId: UUID(), occurredAtMilliseconds: 1_773_480_413_000 + seq, tenant: "acme", runId: UUID(),
                actor: "director", action: "run.planned", payloadText: #"{"seq": \#(seq)}"#)
            let hash = AuditHash.compute(previous: previous, content: content)
            defer { previous = hash }
            return AuditEntry(seq: seq, content: content, prevHash: previous, hash: hash)
        }
    }

    static func firstBreak(_ entries: [AuditEntry]) -> (AuditChainBreak?, AuditChainChecker) {
        var checker = AuditChainChecker()
        for entry in entries {
            if let broken = checker.check(entry) { return (broken, checker) }
        }
        return (nil, checker)
    }

    @Test func anIntactChainChecksOut() {
        let entries = Self.chain([1, 2, 3, 7, 8])  // gaps in seq (rolled-back inserts) are fine
        let (broken, checker) = Self.firstBreak(entries)
        #expect(broken == nil)
        #expect(checker.checked == 5)
        #expect(checker.head?.seq == 8)
        #expect(checker.head?.hash == entries.last?.hash)
    }

    @Test func aChangedPayloadIsAHashMismatchAtThatEntry() throws {
        var entries = Self.chain([1, 2, 3, 4])
        entries[2].content.payloadText = #"{"seq": 333}"#
        let (broken, checker) = Self.firstBreak(entries)
        let found = try #require(broken)
        #expect(found.seq == 3)
        guard case .hashMismatch = found.kind else {
            Issue.record("expected a hash mismatch, got \(found.kind)")
            return
        }
        #expect(found.description == "entry seq 3 (envelope \(entries[2].content.envelopeId.uuidString.lowercased())): hash mismatch")
        #expect(checker.checked == 2)
        #expect(checker.head?.seq == 2)
    }

    @Test func aRehashedEntryBreaksTheNextLink() throws {
        // Someone changes entry 2 and recomputes its hash: entry 3 still points at the old hash.
        var entries = Self.chain([1, 2, 3])
        entries[1].content.actor = "mallory"
        entries[1].hash = AuditHash.compute(previous: entries[1].prevHash, content: entries[1].content)
        let found = try #require(Self.firstBreak(entries).0)
        #expect(found.seq == 3)
        #expect(found.description.hasSuffix("prev_hash does not match entry 2"))
    }

    @Test func aRemovedEntryBreaksTheLinkOfItsSuccessor() throws {
        var entries = Self.chain([1, 2, 3, 4])
        entries.remove(at: 1)
        let found = try #require(Self.firstBreak(entries).0)
        #expect(found.seq == 3)
        #expect(found.kind == .prevHashMismatch(previousSeq: 1, expected: entries[0].hash, found: entries[1].prevHash))
        #expect(found.description.hasSuffix(": prev_hash does not match entry 1"))
    }

    @Test func theFirstEntryMustNotPointAnywhere() throws {
        var entries = Self.chain([1, 2])
        entries.removeFirst()
        let found = try #require(Self.firstBreak(entries).0)
        #expect(found.seq == 2)
        #expect(found.description.hasSuffix("prev_hash is set but no entry precedes it"))
    }

    @Test func anEntryCheckedAgainstItsPredecessorInTheWholeLog() {
        let entries = Self.chain([10, 11])
        #expect(AuditChainChecker.check(entries[1], predecessor: (10, entries[0].hash)) == nil)
        // A different hash for the predecessor: its first hex digit changed.
        let other = (entries[0].hash.first == "0" ? "1" : "0") + entries[0].hash.dropFirst()
        #expect(AuditChainChecker.check(entries[1], predecessor: (9, other)) != nil)
    }

    @Test func summariesNameTheCountAndTheHead() {
        let intact = AuditVerification(scope: .all, entries: 3, head: "abc", headSeq: 3, firstBreak: nil)
        #expect(intact.summary == "audit chain verified: 3 entries, head abc")
        #expect(AuditVerification(scope: .all, entries: 1, head: "abc", headSeq: 1, firstBreak: nil).summary
            == "audit chain verified: 1 entry, head abc")
        #expect(AuditVerification(scope: .all, entries: 0, head: nil, headSeq: nil, firstBreak: nil).summary
            == "audit chain verified: 0 entries, head none")
        let id = UUID()
        let broken = AuditVerification(
            scope: .all, entries: 1233, head: "abc", headSeq: 1233,
            firstBreak: AuditChainBreak(seq: 1234, envelopeId: id, kind: .hashMismatch(stored: "a", recomputed: "b")))
        #expect(!broken.isIntact)
        #expect(broken.summary == "entry seq 1234 (envelope \(id.uuidString.lowercased())): hash mismatch")
    }
}
