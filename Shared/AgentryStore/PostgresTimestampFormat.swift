import Foundation

/// Formats and parses PostgreSQL timestamps in text form.
///
/// Dates are written as ISO-8601 in UTC with microseconds (`2026-11-21T00:51:31.123456Z`), the
/// precision of `timestamptz`. Parsing accepts the server's ISO output
/// (`2026-11-21 00:51:31.123456+00`, offsets like `+05:30` or `-03:30:15`), `T` and `Z`,
/// timestamps without a zone (read as UTC), plain dates, `infinity`, `-infinity` and `BC` years.
enum PostgresTimestampFormat {
    /// The date as ISO-8601 in UTC with six fractional digits.
    static func format(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9.0e18 else {
            return micros < 0 ? "-infinity" : "infinity"
        }
        let total = Int64(micros)
        let seconds = floorDivide(total, 1_000_000)
        let fraction = Int(total - seconds * 1_000_000)
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        var text = ""
        text.reserveCapacity(32)
        let bc = year <= 0
        append(bc ? 1 - year : year, width: 4, to: &text)
        text.append("-")
        append(month, width: 2, to: &text)
        text.append("-")
        append(day, width: 2, to: &text)
        text.append("T")
        append(secondOfDay / 3600, width: 2, to: &text)
        text.append(":")
        append(secondOfDay / 60 % 60, width: 2, to: &text)
        text.append(":")
        append(secondOfDay % 60, width: 2, to: &text)
        text.append(".")
        append(fraction, width: 6, to: &text)
        text.append("Z")
        if bc { text.append(" BC") }
        return text
    }

    /// Parses a timestamp, timestamptz or date in text form; nil if it is not one.
    static func parse(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        var scanner = ByteScanner(Array(text.utf8))
        guard let yearValue = scanner.number(minDigits: 4, maxDigits: 9), scanner.take(UInt8(ascii: "-")),
              let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.number(minDigits: 2, maxDigits: 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var year = yearValue
        var secondOfDay = 0
        var nanos = 0
        var offset = 0
        if scanner.take(UInt8(ascii: " ")) || scanner.take(UInt8(ascii: "T")) {
            guard let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                  let minute = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                  let second = scanner.number(minDigits: 2, maxDigits: 2),
                  hour <= 24, minute <= 59, second <= 60
            else { return nil }
            secondOfDay = hour * 3600 + minute * 60 + second
            if scanner.take(UInt8(ascii: ".")) {
                guard let parsed = scanner.fraction() else { return nil }
                nanos = parsed.value
                for _ in parsed.digits..<9 { nanos *= 10 }
            }
            guard let zone = parseZone(&scanner) else { return nil }
            offset = zone
        }
        if scanner.take(UInt8(ascii: " ")) {
            guard scanner.take(UInt8(ascii: "B")), scanner.take(UInt8(ascii: "C")) else { return nil }
            year = 1 - year
        }
        guard scanner.isAtEnd else { return nil }
        let days = days(fromCivil: year, month, day)
        let seconds = days * 86_400 + Int64(secondOfDay) - Int64(offset)
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
    }

    /// Parses `Z`, `+HH`, `+HH:MM`, `+HHMM`, `+HH:MM:SS` (or nothing: UTC); returns seconds east of UTC.
    private static func parseZone(_ scanner: inout ByteScanner) -> Int? {
        if scanner.take(UInt8(ascii: "Z")) { return 0 }
        let sign: Int
        if scanner.take(UInt8(ascii: "+")) {
            sign = 1
        } else if scanner.take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return 0
        }
        guard let hours = scanner.number(minDigits: 2, maxDigits: 2), hours <= 15 else { return nil }
        var seconds = hours * 3600
        let colon = scanner.take(UInt8(ascii: ":"))
        if let minutes = scanner.number(minDigits: 2, maxDigits: 2) {
            guard minutes <= 59 else { return nil }
            seconds += minutes * 60
            if scanner.take(UInt8(ascii: ":")) {
                guard let extra = scanner.number(minDigits: 2, maxDigits: 2), extra <= 59 else { return nil }
                seconds += extra
            }
        } else if colon {
            return nil
        }
        return sign * seconds
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text.append(String(repeating: "0", count: width - digits.count)) }
        text.append(digits)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) (H. Hinnant's algorithm).
    private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// A proleptic Gregorian date to days since 1970-01-01.
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// A cursor over ASCII bytes for the small text parsers of this module.
struct ByteScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Reads `minDigits...maxDigits` decimal digits.
    mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
        var value = 0
        var count = 0
        while count < maxDigits, let byte = peek, byte >= 0x30, byte <= 0x39 {
            value = value * 10 + Int(byte - 0x30)
            count += 1
            index += 1
        }
        return count >= minDigits ? value : nil
    }

    /// Reads 1 or more fraction digits, keeping at most 9; returns the value and the digits kept.
    mutating func fraction() -> (value: Int, digits: Int)? {
        var value = 0
        var kept = 0
        var count = 0
        while let byte = peek, byte >= 0x30, byte <= 0x39 {
            if kept < 9 {
                value = value * 10 + Int(byte - 0x30)
                kept += 1
            }
            count += 1
            index += 1
        }
        return count > 0 ? (value, kept) : nil
    }
}
