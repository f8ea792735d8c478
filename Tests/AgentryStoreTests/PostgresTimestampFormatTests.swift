import Foundation
import Testing
@testable import AgentryStore

@Suite struct PostgresTimestampFormatTests {
    private let base = 1_795_222_291.0 // 2026-11-21 00:51:31 UTC

    @Test(arguments: [
        ("2026-11-21 00:51:31.123456+00", 1_795_222_291.123456),
        ("2026-11-21 00:51:31+00", 1_795_222_291.0),
        ("2026-11-21 00:51:31.5+00", 1_795_222_291.5),
        ("2026-11-21 02:51:31.5+02", 1_795_222_291.5),
        ("2026-11-21 06:21:31+05:30", 1_795_222_291.0),
        ("2026-11-20 21:21:31-03:30", 1_795_222_291.0),
        ("2026-11-21 00:51:31-00:00:15", 1_795_222_306.0),
        ("2026-11-21T00:51:31Z", 1_795_222_291.0),
        ("2026-11-21T00:51:31.000001Z", 1_795_222_291.000001),
        ("2026-11-21 00:51:31.123456", 1_795_222_291.123456),
        ("2026-11-21", 1_795_219_200.0),
        ("1970-01-01 00:00:00+00", 0),
        ("1969-12-31 23:59:59.999999+00", -0.000001),
        ("2000-02-29 12:00:00+00", 951_825_600),
        ("10000-01-01 00:00:00+00", 253_402_300_800),
    ] as [(String, Double)])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(PostgresTimestampFormat.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_000_5, "\(text)")
        #expect(try Date(postgresText: text, type: .timestamptz) == date)
    }

    @Test func bcDatesAndInfinity() throws {
        let bc = try #require(PostgresTimestampFormat.parse("0001-01-01 00:00:00+00 BC"))
        let ad = try #require(PostgresTimestampFormat.parse("0001-01-01 00:00:00+00"))
        #expect(ad.timeIntervalSince(bc) == 366 * 86_400) // 1 BC (year 0) is a leap year
        #expect(PostgresTimestampFormat.format(bc) == "0001-01-01T00:00:00.000000Z BC")
        #expect(PostgresTimestampFormat.parse("infinity") == .distantFuture)
        #expect(PostgresTimestampFormat.parse("-infinity") == .distantPast)
    }

    @Test(arguments: [
        "", "2026", "2026-13-01", "2026-11-32 00:00:00", "2026-11-21 25:00:00", "2026-11-21 00:51",
        "2026-11-21 00:51:31.", "2026-11-21 00:51:31+", "2026-11-21 00:51:31+5", "2026-11-21 00:51:31 junk",
        "26-11-21",
    ])
    func rejects(text: String) {
        #expect(PostgresTimestampFormat.parse(text) == nil)
        #expect(throws: PostgresCodingFailure.self) { try Date(postgresText: text, type: .timestamptz) }
    }

    @Test func formatsUTCWithMicroseconds() throws {
        #expect(PostgresTimestampFormat.format(Date(timeIntervalSince1970: base + 0.123456))
                == "2026-11-21T00:51:31.123456Z")
        #expect(PostgresTimestampFormat.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(PostgresTimestampFormat.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        #expect(try Date(timeIntervalSince1970: base).postgresText() == "2026-11-21T00:51:31.000000Z")
    }

    @Test func roundTripsAtMicrosecondPrecision() throws {
        for offset in stride(from: -3_000_000_000.0, through: 3_000_000_000.0, by: 123_456_789.654321) {
            let date = Date(timeIntervalSince1970: (offset * 1_000_000).rounded() / 1_000_000)
            let parsed = try #require(PostgresTimestampFormat.parse(PostgresTimestampFormat.format(date)))
            #expect(abs(parsed.timeIntervalSince(date)) < 0.000_001)
        }
    }
}
