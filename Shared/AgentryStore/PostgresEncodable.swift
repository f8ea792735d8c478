/// A Swift value that can be bound as a query parameter, in PostgreSQL's text format.
///
/// Conforming types: `String`, `Int`, `Int32`, `Int64`, `Double`, `Bool`, `Decimal`, `UUID`, `Date`
/// (timestamptz), `Data` and `[UInt8]` (bytea), arrays of the scalar types, `Optional` (NULL),
/// ``PostgresJSON`` and ``PostgresRawJSON`` (jsonb).
public protocol PostgresEncodable: Sendable {
    /// The parameter type sent with the value.
    static var postgresType: PostgresDataType { get }

    /// The value in PostgreSQL's text format; `nil` binds SQL NULL.
    func postgresText() throws -> String?
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresDataType { Wrapped.postgresType }

    public func postgresText() throws -> String? {
        switch self {
        case .none: nil
        case .some(let value): try value.postgresText()
        }
    }
}
