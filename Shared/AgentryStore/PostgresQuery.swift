import Foundation

/// A SQL statement and its bind parameters.
///
/// Every interpolated value becomes a `$n` parameter, never SQL text, so input cannot change the
/// statement. Trusted text written in code (an identifier chosen from a fixed list) is spliced in
/// only through the explicit `unescaped:` or `identifier:` interpolations.
///
/// ```swift
/// let query: PostgresQuery = "SELECT id FROM runs WHERE tenant = \(tenant) AND status = ANY(\(statuses))"
/// // sql: "SELECT id FROM runs WHERE tenant = $1 AND status = ANY($2)", two binds (text, text[])
/// let table = "runs"
/// let count: PostgresQuery = "SELECT count(*) FROM \(identifier: table)"
/// ```
public struct PostgresQuery: Sendable, Hashable {
    /// The SQL text, with `$1...$n` placeholders.
    public var sql: String
    /// The bind parameters.
    public var binds: PostgresBindings

    /// Creates a query from SQL text and bindings; the text must not contain untrusted input.
    public init(unsafeSQL sql: String, binds: PostgresBindings = PostgresBindings()) {
        self.sql = sql
        self.binds = binds
    }
}

extension PostgresQuery: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// Builds a ``PostgresQuery``: literals are SQL, interpolated values are parameters.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        public typealias StringLiteralType = String

        var sql: String
        var binds: PostgresBindings

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = PostgresBindings()
        }

        public mutating func appendLiteral(_ literal: String) {
            sql.append(literal)
        }

        /// Binds `value` as the next `$n` parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value)
            sql.append("$\(binds.count)")
        }

        /// Binds `value` as the next `$n` parameter; nil binds SQL NULL of the wrapped type.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value)
            sql.append("$\(binds.count)")
        }

        /// Splices trusted SQL text written in code (never input) into the statement as is.
        public mutating func appendInterpolation(unescaped text: String) {
            sql.append(text)
        }

        /// Splices an identifier (table or column name) double-quoted, with embedded quotes doubled.
        public mutating func appendInterpolation(identifier: String) {
            sql.append("\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        }
    }
}

extension PostgresQuery: CustomStringConvertible {
    /// The SQL text and the parameter types; the bound values are not shown.
    public var description: String {
        binds.count == 0 ? sql : "\(sql) [\(binds.types.map(\.description).joined(separator: ", "))]"
    }
}
