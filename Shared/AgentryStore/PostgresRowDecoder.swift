/// A `Decoder` over one row: a keyed container whose keys are the columns.
struct PostgresRowDecoder: Decoder {
    let row: PostgresRow
    let naming: PostgresRow.ColumnNaming
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(PostgresRowKeyedContainer<Key>(row: row, naming: naming, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(
            codingPath: codingPath, debugDescription: "a row decodes as a keyed record, not a list"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.columns.count == 1 else {
            throw DecodingError.typeMismatch(Any.self, .init(
                codingPath: codingPath, debugDescription: "a single value needs a one-column row"))
        }
        return PostgresCellDecoder(row: row, position: 0, codingPath: codingPath)
    }
}
