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
        let (year, month, day) = CivilDate.civil(fromDays: days)
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
        guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }

        let days = CivilDate.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        if fraction.digits <= 3 {
            // Whole milliseconds: the same arithmetic as `string(from:)`, so values round-trip exactly.
            var milliseconds = fraction.value
            for _ in fraction.digits..<3 { milliseconds *= 10 }
            return Date(timeIntervalSince1970: Double(seconds * 1000 + milliseconds) / 1000)
        }
        return Date(timeIntervalSince1970: Double(seconds) + Double(fraction.value) / pow(10, Double(fraction.digits)))
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
