/// The keyed container of ``PostgresRowDecoder``: each key reads the column of the same (or snake_case) name.
struct PostgresRowKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PostgresRow
    let naming: PostgresRow.ColumnNaming
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        row.columns.compactMap { column in
            Key(stringValue: column.name) ?? Key(stringValue: Self.camelCase(column.name))
        }
    }

    func contains(_ key: Key) -> Bool { position(of: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        row.text(at: try require(key)) == nil
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try row.decodeValue(type, at: try require(key), codingPath: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try value(Double.self, key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        throw unsupported(key, "nested containers (decode the property's type from a jsonb column instead)")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw unsupported(key, "nested containers (decode an array type instead)")
    }

    func superDecoder() throws -> any Decoder {
        PostgresRowDecoder(row: row, naming: naming, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        PostgresRowDecoder(row: row, naming: naming, codingPath: codingPath + [key])
    }

    private func value<T: PostgresDecodable>(_ type: T.Type, _ key: Key) throws -> T {
        try row.decode(type, at: try require(key))
    }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        let wide = try value(Int64.self, key)
        guard let exact = T(exactly: wide) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(wide) does not fit in \(T.self)")
        }
        return exact
    }

    private func position(of key: Key) -> Int? {
        row.storage.columnIndex[PostgresRow.columnName(for: key.stringValue, naming: naming)]
    }

    private func require(_ key: Key) throws -> Int {
        guard let position = position(of: key) else {
            let column = PostgresRow.columnName(for: key.stringValue, naming: naming)
            throw DecodingError.keyNotFound(key, .init(
                codingPath: codingPath, debugDescription: "the result has no column \"\(column)\""))
        }
        return position
    }

    private func unsupported(_ key: Key, _ what: String) -> DecodingError {
        DecodingError.typeMismatch(Any.self, .init(
            codingPath: codingPath + [key], debugDescription: "row decoding does not support \(what)"))
    }

    private static func camelCase(_ name: String) -> String {
        let parts = name.split(separator: "_")
        guard let first = parts.first else { return name }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
