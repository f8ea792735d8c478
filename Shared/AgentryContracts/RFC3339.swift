import Foundation

/// RFC 3339 timestamps as the envelope writes and reads them.
///
/// Writing always gives UTC with milliseconds (`2026-03-14T09:26:53.589Z`). Reading accepts any
/// RFC 3339 date-time: with or without a fraction, `Z` or a numeric offset, `T`, `t` or a space as
/// the separator. The arithmetic is done here rather than with a calendar so the result never
/// depends on the machine's locale, time zone or Foundation version.
public enum RFC3339 {
    /// Formats `date` as UTC with millisecond precision.
    public static func string(from date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, millisecond) = floorDivide(milliseconds, 1000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        var text = ""
        text.reserveCapacity(24)
        text += pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2)
        text += ":" + pad(secondOfDay % 60, 2) + "." + pad(millisecond, 3) + "Z"
        return text
    }

    /// Parses an RFC 3339 date-time, or returns `nil` when `text` is not one.
    public static func date(from text: String) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard
            let year = scanner.digits(4), scanner.skip("-"),
            let month = scanner.digits(2), scanner.skip("-"),
            let day = scanner.digits(2), scanner.skip("T", "t", " "),
            let hour = scanner.digits(2), scanner.skip(":"),
            let minute = scanner.digits(2), scanner.skip(":"),
            let second = scanner.digits(2)
        else { return nil }
        var fraction: (value: Int64, digits: Int) = (0, 0)
        if scanner.skip(".") {
            guard let parsed = scanner.fraction() else { return nil }
            fraction = parsed
        }
        guard let offsetSeconds = scanner.offset(), scanner.atEnd else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }

        let days = Self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        if fraction.digits <= 3 {
            // Whole milliseconds: the same arithmetic as `string(from:)`, so values round-trip exactly.
            var milliseconds = fraction.value
            for _ in fraction.digits..<3 { milliseconds *= 10 }
            return Date(timeIntervalSince1970: Double(seconds * 1000 + milliseconds) / 1000)
        }
        return Date(timeIntervalSince1970: Double(seconds) + Double(fraction.value) / pow(10, Double(fraction.digits)))
    }

    // MARK: Calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A cursor over the UTF-8 bytes of a timestamp.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }

        mutating func skip(_ accepted: Character...) -> Bool {
            guard index < bytes.count,
                  accepted.contains(where: { $0.asciiValue == bytes[index] })
            else { return false }
            index += 1
            return true
        }

        /// One or more digits; digits beyond nanoseconds are read and ignored.
        mutating func fraction() -> (value: Int64, digits: Int)? {
            var value: Int64 = 0
            var digits = 0
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                if digits < 9 {
                    value = value * 10 + Int64(bytes[index] - 0x30)
                    digits += 1
                }
                index += 1
            }
            return index > start ? (value, digits) : nil
        }

        /// `Z` (zero) or `±HH:MM`, as seconds east of UTC.
        mutating func offset() -> Int64? {
            if skip("Z", "z") { return 0 }
            let sign: Int64
            if skip("+") {
                sign = 1
            } else if skip("-") {
                sign = -1
            } else {
                return nil
            }
            guard let hours = digits(2), skip(":"), let minutes = digits(2),
                  (0...23).contains(hours), (0...59).contains(minutes)
            else { return nil }
            return sign * Int64(hours * 3600 + minutes * 60)
        }
    }
}
