import AgentryContracts
import Foundation
import Testing

@testable import AgentryIngest

/// Every parser of the ingest gateway fed random and mutated input: it answers (a run, an
/// ignore, or a clear 4xx) and never crashes; the same input always gets the same answer.
@Suite struct IngestParserFuzzTests {
    /// A small deterministic generator (xorshift64*), so a failure can be replayed from its seed.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
        /// `seed` mutated: bytes flipped, dropped, duplicated or replaced by syntax characters.
        mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
            var bytes = seed
            let syntax = Array("{}[]\",:=&%+\\/~0123456789 \n\u{0}ab".utf8)
            for _ in 0..<int(1..<8) {
                guard !bytes.isEmpty else { bytes = self.bytes(int(0..<16)); continue }
                let index = int(0..<bytes.count)
                switch int(0..<4) {
                case 0: bytes[index] = syntax[int(0..<syntax.count)]
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(contentsOf: bytes[index..<min(bytes.count, index + int(1..<12))], at: index)
                default: bytes[index] ^= UInt8(truncatingIfNeeded: next())
                }
            }
            return bytes
        }
        /// The input of a fuzzing round: random bytes (up to `randomLength`) every tenth round, else
        /// one of `seeds` (taken in turn) mutated.
        mutating func input(round: Int, seeds: [[UInt8]], randomLength: Int) -> [UInt8] {
            round % 10 == 0 ? bytes(int(0..<randomLength)) : mutate(seeds[round % seeds.count])
        }
    }

    static let jiraSettings = JiraSettings(
        secret: "s", triggerLabel: "agentry", triggerMention: "@agentry", projects: [], botAccountId: "bot", tenant: "acme")

    static let seeds: [String] = [
        IngestHarness.slackEvent(),
        IngestJiraTests.issueCreated(),
        IngestJiraTests.commentCreated(body: "@agentry summarise the open incidents"),
        IngestHarness.blockActions(actionId: "agentry_approve", value: UUID().wireString),
        #"{"service":"checkout","target":{"env":"prod"},"build":1042,"actor":{"login":"ana"}}"#,
        "token=x&team_id=T1&channel_id=C1&user_id=U1&command=%2Fagentry&text=hello+there&trigger_id=1.2.3",
    ]

    /// Everything a parser can say about one input, for the determinism check.
    static func verdicts(_ bytes: [UInt8]) -> String {
        var parts: [String] = []
        parts.append(describe { try APIJSON.decode(SlackEventPayload.self, from: bytes) }.map { payload in
            (try? SlackEventMapper(defaultTenant: "default", teamTenants: [:]).outcome(for: payload)).map { "\($0)" } ?? "refused"
        } ?? "malformed")
        parts.append(describe { try APIJSON.decode(JiraWebhookPayload.self, from: bytes) }.map { payload in
            (try? JiraEventMapper(settings: jiraSettings).outcome(for: payload, deliveryId: nil)).map { "\($0)" } ?? "refused"
        } ?? "malformed")
        parts.append(describe { try APIJSON.decode(SlackInteraction.self, from: bytes) }.map { "\($0)" } ?? "malformed")
        parts.append(describe { try FormURLEncoded.fields(bytes) }.map { "\($0.sorted { $0.key < $1.key })" } ?? "malformed")
        let hook = GenericWebhook(
            name: "h", secret: "s", signatureHeader: "X-Agentry-Signature", request: "Deploy {{/service}} to {{/target/env}}",
            externalEventId: "/id", requestedBy: "/actor/login", tenant: "acme")
        parts.append(describe { try APIJSON.decode(JSONValue.self, from: bytes) }.map { body in
            (try? hook.runRequest(body: body, header: { _ in nil })).map { "\($0)" } ?? "refused"
        } ?? "malformed")
        parts.append(HMACSignatureVerifier(secret: "s").problem(signature: String(decoding: bytes.prefix(80), as: UTF8.self), body: bytes) ?? "valid")
        return parts.joined(separator: "|")
    }

    static func describe<T>(_ body: () throws -> T) -> T? { try? body() }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func mutatedPayloadsNeverCrashAndAlwaysGetTheSameAnswer(seed: UInt64) {
        var random = Random(seed: seed)
        var outcomes: Set<String> = []
        let seeds = Self.seeds.map { Array($0.utf8) }
        for round in 0..<1_500 {
            let input = random.input(round: round, seeds: seeds, randomLength: 200)
            let first = Self.verdicts(input)
            #expect(Self.verdicts(input) == first)
            outcomes.insert(first)
        }
        // The mutations reach past the first parse: many distinct answers, not one error.
        #expect(outcomes.count > 50)
    }

    @Test func theUnmutatedSeedsParse() {
        let verdicts = Self.seeds.map { Self.verdicts(Array($0.utf8)) }
        #expect(verdicts[0].hasPrefix("run("))
        #expect(verdicts[1].contains("|run("))
        #expect(verdicts[2].contains("|run("))
    }
}
