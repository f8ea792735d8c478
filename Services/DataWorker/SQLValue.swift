import AgentryContracts
import AgentryStore
import Foundation

/// Converts a cell in PostgreSQL's text form into JSON, by its column type.
///
/// | type | JSON |
/// |---|---|
/// | `int2`, `int4`, `int8`, `oid` | number; a string beyond ±2^53, where a JSON number would lose digits |
/// | `float4`, `float8` | number; `"NaN"`, `"Infinity"`, `"-Infinity"` as strings |
/// | `numeric` | number when it has at most 15 significant digits (exact as a double), else its text |
/// | `bool` | `true` / `false` |
/// | `json`, `jsonb` | the JSON value itself |
/// | `timestamptz` | RFC 3339 string: `2026-03-02T09:14:07.215Z` |
/// | `timestamp` | the same without an offset (the value has none): `2026-03-02T09:14:07.215` |
/// | NULL | `null` |
/// | anything else (`text`, `varchar`, `uuid`, `date`, arrays, ...) | its text |
///
/// The store's sessions use `DateStyle=ISO` and `TimeZone=UTC`, so timestamps arrive as
/// `2026-03-02 09:14:07.215+00`.
enum SQLValue {
    private static let exactIntegerLimit: Int64 = 1 << 53

    /// The JSON value of a cell.
    static func json(_ text: String?, type: PostgresDataType) -> JSONValue {
        guard let text else { return .null }
        switch type {
        case .int2, .int4, .int8, .oid:
            guard let value = Int64(text), value.magnitude <= exactIntegerLimit.magnitude else { return .string(text) }
            return .number(Double(value))
        case .float4, .float8:
            guard let value = Double(text), value.isFinite else { return .string(text) }
            return .number(value)
        case .numeric:
            guard significantDigits(text).map({ $0 <= 15 }) == true, let value = Double(text), value.isFinite,
                  value == 0 || value.isNormal
            else { return .string(text) }
            return .number(value)
        case .bool:
            return text == "t" ? .bool(true) : text == "f" ? .bool(false) : .string(text)
        case .json, .jsonb:
            return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        case .timestamptz:
            return .string(rfc3339(text, zoned: true) ?? text)
        case .timestamp:
            return .string(rfc3339(text, zoned: false) ?? text)
        default:
            return .string(text)
        }
    }

    /// The cell as shown in the plain-text table: empty for NULL, `true`/`false` for booleans,
    /// otherwise PostgreSQL's own text.
    static func display(_ text: String?, type: PostgresDataType) -> String {
        guard let text else { return "" }
        if type == .bool { return text == "t" ? "true" : text == "f" ? "false" : text }
        return text
    }

    /// True for number types, which the plain-text table aligns right.
    static func isNumeric(_ type: PostgresDataType) -> Bool {
        [.int2, .int4, .int8, .oid, .float4, .float8, .numeric].contains(type)
    }

    /// The number of significant digits of a plain decimal (`-0012.3400` has 4); nil if it is not one.
    static func significantDigits(_ text: String) -> Int? {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        let digits = parts.joined().drop { $0 == "0" }
        return digits.reversed().drop { $0 == "0" }.count
    }

    /// `2026-03-02 09:14:07.215+05:30` as `2026-03-02T09:14:07.215+05:30` (`+00` as `Z`), or, when
    /// not `zoned`, `2026-03-02 09:14:07.215` as `2026-03-02T09:14:07.215`; nil for any other form
    /// (`infinity`, BC dates, offsets with seconds), which is then passed on as it is.
    static func rfc3339(_ text: String, zoned: Bool) -> String? {
        let bytes = Array(text.utf8)
        // yyyy-mm-dd hh:mm:ss
        let shape = Array("dddd-dd-dd dd:dd:dd".utf8)
        guard bytes.count >= shape.count else { return nil }
        for (byte, expected) in zip(bytes, shape) {
            guard expected == UInt8(ascii: "d") ? isDigit(byte) : byte == expected else { return nil }
        }
        var index = shape.count
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > digitsStart else { return nil }
        }
        let dateTime = String(decoding: bytes[..<10], as: UTF8.self) + "T"
            + String(decoding: bytes[11..<index], as: UTF8.self)
        let offset = String(decoding: bytes[index...], as: UTF8.self)
        guard zoned else { return offset.isEmpty ? dateTime : nil }
        switch offset.count {
        case 3 where offset == "+00" || offset == "-00": return dateTime + "Z"
        case 3: return isOffset(offset) ? dateTime + offset + ":00" : nil
        case 6 where offset == "+00:00": return dateTime + "Z"
        case 6: return isOffset(String(offset.prefix(3))) && offset.dropFirst(3).first == ":"
            && offset.utf8.suffix(2).allSatisfy(isDigit) ? dateTime + offset : nil
        default: return nil
        }
    }

    private static func isOffset(_ text: String) -> Bool {
        text.count == 3 && (text.first == "+" || text.first == "-") && text.utf8.dropFirst().allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
