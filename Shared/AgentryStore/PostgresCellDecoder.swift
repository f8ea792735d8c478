/// A single-value `Decoder` over one cell, so that types which decode from one value (a `String`-backed
/// enum, a wrapper struct) can be read from a column.
struct PostgresCellDecoder: Decoder, SingleValueDecodingContainer {
    let row: PostgresRow
    let position: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw mismatch("a keyed value (store it as jsonb)")
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw mismatch("a list (use an array column type or jsonb)")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { row.text(at: position) == nil }

    func decode(_ type: Bool.Type) throws -> Bool { try row.decode(type, at: position) }
    func decode(_ type: String.Type) throws -> String { try row.decode(type, at: position) }
    func decode(_ type: Double.Type) throws -> Double { try row.decode(type, at: position) }
    func decode(_ type: Float.Type) throws -> Float { Float(try row.decode(Double.self, at: position)) }
    func decode(_ type: Int.Type) throws -> Int { try row.decode(type, at: position) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try row.decode(type, at: position) }
    func decode(_ type: Int32.Type) throws -> Int32 { try row.decode(type, at: position) }
    func decode(_ type: Int64.Type) throws -> Int64 { try row.decode(type, at: position) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try row.decodeValue(type, at: position, codingPath: codingPath)
    }

    private func integer<T: FixedWidthInteger>() throws -> T {
        let wide = try row.decode(Int64.self, at: position)
        guard let exact = T(exactly: wide) else {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: "\(wide) does not fit in \(T.self)")
        }
        return exact
    }

    private func mismatch(_ what: String) -> DecodingError {
        DecodingError.typeMismatch(Any.self, .init(
            codingPath: codingPath, debugDescription: "a column cannot be decoded as \(what)"))
    }
}
