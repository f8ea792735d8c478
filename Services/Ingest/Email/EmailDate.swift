import AgentryContracts
import Foundation

/// RFC 5322 date-times (section 3.3), including the obsolete forms of section 4.3.
///
/// Accepts an optional day name, `day month year hour:minute[:second] zone` with comments
/// removed, two- and three-digit years (`05` → 2005, `99` → 1999, `105` → 2005), numeric zones
/// and the named zones UT, GMT, Z and the North American ones (military letters count as
/// +0000, as the RFC advises). A missing zone is read as UTC and a missing time as midnight.
enum EmailDate {
    /// The moment `value` denotes, or nil when it has no recognisable day, month and year.
    static func parse(_ value: String) -> Date? {
        let bytes = Array(value.utf8)
        var cleaned: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x28 {
                index = EmailBytes.endOfComment(bytes, from: index)
                cleaned.append(EmailBytes.space)
                continue
            }
            cleaned.append(bytes[index] == 0x2C ? EmailBytes.space : bytes[index])
            index += 1
        }
        let tokens = String(decoding: cleaned, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })

        var day: Int?
        var month: Int?
        var year: Int?
        var time: (hour: Int, minute: Int, second: Int)?
        var offset: Int?
        for token in tokens {
            if token.contains(":") {
                guard time == nil else { continue }
                let parts = token.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 != nil }) else { continue }
                time = (parts[0]!, parts[1]!, parts.count == 3 ? parts[2]! : 0)
            } else if let first = token.first, first == "+" || first == "-", token.count == 5,
                let number = Int(token.dropFirst()), token.dropFirst().allSatisfy(\.isNumber)
            {
                let minutes = (number / 100) * 60 + number % 100
                offset = (first == "-" ? -1 : 1) * minutes * 60
            } else if token.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard token.count <= 4, let number = Int(token) else { continue }
                if day == nil, token.count <= 2, month == nil || year == nil, (1...31).contains(number) {
                    day = number
                } else if year == nil {
                    switch token.count {
                    case 4: year = number
                    case 3: year = number + 1900
                    default: year = number < 50 ? 2000 + number : 1900 + number
                    }
                }
            } else {
                let word = token.lowercased()
                if month == nil, let found = months.firstIndex(where: { word.hasPrefix($0) }) {
                    month = found + 1
                } else if offset == nil, let zone = zones[word] {
                    offset = zone * 3600
                } else if offset == nil, word.count == 1, word != "j" {
                    offset = 0
                }
            }
        }
        guard let day, let month, let year, (1...9999).contains(year) else { return nil }
        let clock = time ?? (0, 0, 0)
        guard (0...23).contains(clock.hour), (0...59).contains(clock.minute), (0...60).contains(clock.second),
            day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        let days = Int(CivilDate.days(fromCivil: year, month, day))
        let seconds = days * 86_400 + clock.hour * 3_600 + clock.minute * 60 + min(clock.second, 59) - (offset ?? 0)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Month name prefixes, January first.
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Named zones and their offsets from UTC in hours.
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]
}
