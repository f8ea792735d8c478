import Foundation

extension String: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .text }
    public func postgresText() throws -> String? { self }
    public init(postgresText text: String, type: PostgresDataType) throws { self = text }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int8 }
    public func postgresText() throws -> String? { String(self) }
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try parseInteger(text, as: Int.self)
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int8 }
    public func postgresText() throws -> String? { String(self) }
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try parseInteger(text, as: Int64.self)
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int4 }
    public func postgresText() throws -> String? { String(self) }
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try parseInteger(text, as: Int32.self)
    }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int2 }
    public func postgresText() throws -> String? { String(self) }
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try parseInteger(text, as: Int16.self)
    }
}

private func parseInteger<T: FixedWidthInteger>(_ text: String, as: T.Type) throws -> T {
    guard let value = T(text) else { throw PostgresCodingFailure("not an integer in the range of \(T.self)") }
    return value
}

extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .float8 }

    public func postgresText() throws -> String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }

    public init(postgresText text: String, type: PostgresDataType) throws {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw PostgresCodingFailure("not a number") }
            self = value
        }
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .bool }
    public func postgresText() throws -> String? { self ? "t" : "f" }

    public init(postgresText text: String, type: PostgresDataType) throws {
        switch text {
        case "t", "true", "1": self = true
        case "f", "false", "0": self = false
        default: throw PostgresCodingFailure("not a boolean (expected 't' or 'f')")
        }
    }
}

extension Decimal: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .numeric }

    public func postgresText() throws -> String? { isNaN ? "NaN" : description }

    public init(postgresText text: String, type: PostgresDataType) throws {
        if text == "NaN" {
            self = .nan
            return
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
              text.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" })
        else { throw PostgresCodingFailure("not a decimal number") }
        self = value
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .uuid }
    public func postgresText() throws -> String? { uuidString }

    public init(postgresText text: String, type: PostgresDataType) throws {
        guard let value = UUID(uuidString: text) else { throw PostgresCodingFailure("not a UUID") }
        self = value
    }
}
