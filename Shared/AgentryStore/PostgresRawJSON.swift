import Foundation

/// JSON text stored as `jsonb` without decoding it, e.g. an envelope already encoded by its own
/// encoder. The server validates it; note that `jsonb` normalises white space and key order.
public struct PostgresRawJSON: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    /// The JSON text.
    public var text: String

    /// Wraps JSON text.
    public init(_ text: String) { self.text = text }

    /// Wraps UTF-8 encoded JSON.
    public init(data: Data) { self.text = String(decoding: data, as: UTF8.self) }

    /// The JSON as UTF-8 bytes.
    public var data: Data { Data(text.utf8) }

    public static var postgresType: PostgresDataType { .jsonb }

    public func postgresText() throws -> String? { text }

    public init(postgresText text: String, type: PostgresDataType) throws { self.text = text }
}
