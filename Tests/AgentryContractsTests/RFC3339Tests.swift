import AgentryContracts
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_772_442_847.215, "2026-03-02T09:14:07.215Z"),
        (951_782_400.0, "2000-02-29T00:00:00.000Z"),
        (-1.5, "1969-12-31T23:59:58.500Z"),
        (253_402_300_799.999, "9999-12-31T23:59:59.999Z"),
        (1_709_164_800.001, "2024-02-29T00:00:00.001Z"),
    ])
    func formatsUTCWithMilliseconds(seconds: Double, text: String) {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: seconds)) == text)
        #expect(RFC3339.date(from: text) == Date(timeIntervalSince1970: seconds))
    }

    @Test func formatsLikeFoundationForManyInstants() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -2_000_000_000...4_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(seconds))
            let ours = RFC3339.string(from: date)
            #expect(ours == formatter.string(from: date).dropLast() + ".000Z")
            #expect(RFC3339.date(from: ours) == date)
        }
    }

    @Test(arguments: [
        "", "2026-03-02", "2026-03-02T09:14:07", "2026-13-02T09:14:07Z", "2026-02-30T09:14:07Z",
        "2025-02-29T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z", "2026-03-02T09:14:07.Z",
        "2026-03-02T09:14:07+0200", "2026-03-02T09:14:07Zjunk", "2026-3-02T09:14:07Z", "２０２６-03-02T09:14:07Z",
    ])
    func rejectsWhatIsNotRFC3339(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }

    @Test func offsetsAreConvertedToUTC() {
        #expect(RFC3339.date(from: "2026-03-02T10:14:07.215+01:00") == RFC3339.date(from: "2026-03-02T09:14:07.215Z"))
        #expect(RFC3339.date(from: "2026-03-01T23:44:07-09:30") == RFC3339.date(from: "2026-03-02T09:14:07Z"))
    }
}
