import Foundation

extension Data: PostgresEncodable, PostgresDecodable {
    /// Data binds as `bytea`, in hex format.
    public static var postgresType: PostgresDataType { .bytea }

    public func postgresText() throws -> String? { PostgresByteaFormat.format(self) }

    public init(postgresText text: String, type: PostgresDataType) throws {
        guard let bytes = PostgresByteaFormat.parse(text) else { throw PostgresCodingFailure("not bytea") }
        self = Data(bytes)
    }
}

/// `[UInt8]` binds and decodes as `bytea` (not as an array of numbers).
extension UInt8: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .bytea }

    public static func postgresArrayText(_ elements: [UInt8]) throws -> String {
        PostgresByteaFormat.format(elements)
    }

    public static func postgresArray(fromText text: String, type: PostgresDataType) throws -> [UInt8] {
        guard let bytes = PostgresByteaFormat.parse(text) else { throw PostgresCodingFailure("not bytea") }
        return bytes
    }
}
