import Foundation

/// A `Codable` value stored as `jsonb`.
///
/// Dates inside the JSON are ISO-8601 strings in UTC with microseconds.
///
/// ```swift
/// try await client.execute("UPDATE runs SET plan = \(PostgresJSON(plan)) WHERE id = \(runID)")
/// let plan = try row.decode(PostgresJSON<Plan>.self, column: "plan").value
/// ```
public struct PostgresJSON<Value: Sendable>: Sendable {
    /// The wrapped value.
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) { self.value = value }
}

extension PostgresJSON: Equatable where Value: Equatable {}

extension PostgresJSON: PostgresEncodable where Value: Encodable {
    public static var postgresType: PostgresDataType { .jsonb }

    public func postgresText() throws -> String? {
        let data = try PostgresJSONCoders.makeEncoder().encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}

extension PostgresJSON: PostgresDecodable where Value: Decodable {
    public init(postgresText text: String, type: PostgresDataType) throws {
        self.value = try PostgresJSONCoders.makeDecoder().decode(Value.self, from: Data(text.utf8))
    }
}
