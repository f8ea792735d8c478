/// A Swift value that can be decoded from a result column in PostgreSQL's text format.
///
/// Conforming types: see ``PostgresEncodable``; decoding is by text, so e.g. an `int4` column
/// decodes as `Int` and a `numeric` column as `Double` or `Decimal`.
public protocol PostgresDecodable {
    /// Decodes a non-NULL value from its text form; `type` is the column's type.
    init(postgresText text: String, type: PostgresDataType) throws

    /// The value for SQL NULL; throws unless the type can represent NULL (only `Optional` can).
    static func postgresNull() throws -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws -> Self {
        throw PostgresCodingFailure("unexpected NULL; decode an Optional to accept NULL")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = .some(try Wrapped(postgresText: text, type: type))
    }

    public static func postgresNull() throws -> Self { .none }
}
