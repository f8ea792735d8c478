import Foundation

/// A type whose Swift arrays bind and decode as a PostgreSQL type: `[String]` as `text[]`, `[Int]` as
/// `int8[]`, `[UUID]` as `uuid[]`, `[String?]` with NULL elements, and `[UInt8]` as `bytea`.
public protocol PostgresArrayElement: Sendable {
    /// The PostgreSQL type of an array of this element, e.g. `.textArray`.
    static var postgresArrayType: PostgresDataType { get }

    /// The text form of an array of this element.
    static func postgresArrayText(_ elements: [Self]) throws -> String

    /// Decodes an array of this element from its text form.
    static func postgresArray(fromText text: String, type: PostgresDataType) throws -> [Self]
}

/// An element written inside a `{...}` array literal, using its own text form (NULL for nil).
public protocol PostgresArrayLiteralElement: PostgresArrayElement, PostgresEncodable, PostgresDecodable {}

extension PostgresArrayLiteralElement {
    public static func postgresArrayText(_ elements: [Self]) throws -> String {
        PostgresArrayLiteral.format(try elements.map { try $0.postgresText() })
    }

    public static func postgresArray(fromText text: String, type: PostgresDataType) throws -> [Self] {
        try PostgresArrayLiteral.parse(text).map { element in
            guard let element else { return try Self.postgresNull() }
            return try Self(postgresText: element, type: .unknown)
        }
    }
}

extension String: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .textArray }
}

extension Int: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .int8Array }
}

extension Int64: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .int8Array }
}

extension Int32: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .int4Array }
}

extension Double: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .float8Array }
}

extension Bool: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .boolArray }
}

extension UUID: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { .uuidArray }
}

extension Optional: PostgresArrayElement, PostgresArrayLiteralElement where Wrapped: PostgresArrayLiteralElement {
    public static var postgresArrayType: PostgresDataType { Wrapped.postgresArrayType }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresDataType { Element.postgresArrayType }

    public func postgresText() throws -> String? { try Element.postgresArrayText(self) }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try Element.postgresArray(fromText: text, type: type)
    }
}
