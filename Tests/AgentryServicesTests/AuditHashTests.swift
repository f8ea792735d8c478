import AgentryAudit
import Foundation
import Testing

/// The chain hash: its canonical serialisation is pinned by golden values computed independently
/// (Python's hashlib over the documented format), so a change to the format cannot go unnoticed.
@Suite struct AuditHashTests {
    static let first = AuditEntryContent(
        envelopeId: UUID(uuidString: "6f0c2b8e-3d4a-4c1b-9e2f-1a2b3c4d5e6f")!,
        occurredAtMilliseconds: 1_773_480_413_589, tenant: "acme",
        runId: UUID(uuidString: "0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01")!, actor: "director", action: "run.planned",
        payloadText: #"{"id": "x", "tenant": "acme", "type": "run.planned"}"#)
    static let firstHash = "99522791ee153b0e685c0cc3431d80616bb3f9c419dacc15e3318e8a913946b6"

    static let second = AuditEntryContent(
        envelopeId: UUID(uuidString: "1d7e0a3c-5b6f-4e8d-a9c0-b1c2d3e4f5a6")!,
        occurredAtMilliseconds: 1_773_480_414_000, tenant: "acme", runId: nil, actor: "étienne",
        action: "approval.decided", payloadText: #"{"note": "naïve ✓"}"#)
    static let secondHash = "8929fd0245699385b1b6cb998d4c03691d7a1fa1482765aa05360e68531ee255"

    @Test func canonicalBytesFollowTheDocumentedFormat() {
        let text = String(decoding: AuditHash.canonicalBytes(previous: nil, content: Self.first), as: UTF8.self)
        #expect(text == """
            agentry-audit-v1
            0:
            36:6f0c2b8e-3d4a-4c1b-9e2f-1a2b3c4d5e6f
            13:1773480413589
            4:acme
            36:0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01
            8:director
            11:run.planned
            52:{"id": "x", "tenant": "acme", "type": "run.planned"}

            """)
    }

    @Test func goldenHashOfAFirstEntry() {
        #expect(AuditHash.compute(previous: nil, content: Self.first) == Self.firstHash)
    }

    @Test func goldenHashOfAnEntryChainedToIt() {
        // Lengths count UTF-8 bytes, not characters: "étienne" is 8 bytes, the payload 22.
        #expect(AuditHash.compute(previous: Self.firstHash, content: Self.second) == Self.secondHash)
    }

    @Test func theFirstEntryHashesAnEmptyPreviousHash() {
        #expect(AuditHash.compute(previous: "", content: Self.first) == Self.firstHash)
    }

    @Test(arguments: ["tenant", "actor", "action", "payload"])
    func everyTextFieldIsCovered(_ field: String) {
        var changed = Self.first
        switch field {
        case "tenant": changed.tenant += " "
        case "actor": changed.actor += " "
        case "action": changed.action += " "
        default: changed.payloadText += " "
        }
        #expect(AuditHash.compute(previous: nil, content: changed) != Self.firstHash)
    }

    @Test func identityTimeAndRunAreCovered() {
        var content = Self.first
        content.occurredAtMilliseconds += 1
        #expect(AuditHash.compute(previous: nil, content: content) != Self.firstHash)
        content = Self.first
        content.runId = nil
        #expect(AuditHash.compute(previous: nil, content: content) != Self.firstHash)
        content = Self.first
        content.envelopeId = UUID()
        #expect(AuditHash.compute(previous: nil, content: content) != Self.firstHash)
        #expect(AuditHash.compute(previous: Self.secondHash, content: Self.first) != Self.firstHash)
    }

    @Test func lengthPrefixesKeepFieldBoundariesUnambiguous() {
        // Moving text from one field into the next would give the same bytes without the prefixes.
        var a = Self.first
        a.tenant = "acme\n8:director"
        a.actor = ""
        var b = Self.first
        b.tenant = "acme"
        b.actor = "\n8:director"
        #expect(AuditHash.compute(previous: nil, content: a) != AuditHash.compute(previous: nil, content: b))
    }

    @Test func hashesAreLowercaseHex() {
        #expect(AuditHash.isWellFormed(Self.firstHash))
        #expect(!AuditHash.isWellFormed(Self.firstHash.uppercased()))
        #expect(!AuditHash.isWellFormed(String(Self.firstHash.dropLast())))
    }

    @Test func millisecondsRoundLikeTheEnvelope() {
        #expect(AuditEntryContent.milliseconds(of: Date(timeIntervalSince1970: 1_773_480_413.589)) == 1_773_480_413_589)
        #expect(AuditEntryContent.milliseconds(of: Date(timeIntervalSince1970: -0.0015)) == -2)
    }
}
