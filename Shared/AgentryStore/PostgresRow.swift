import Foundation

/// One row of a result; decode its columns by name or position.
///
/// ```swift
/// let n = try row.decode(Int.self, column: "n")
/// let name = try row.decode(String?.self, at: 1)
/// let (id, tags) = try row.decode((UUID, [String]).self)
/// let plan = try row.decodeJSON(Plan.self, column: "plan")
/// ```
public struct PostgresRow: Sendable {
    let storage: PostgresRows.Storage
    /// The row's position in its result.
    public let index: Int

    /// The result columns.
    public var columns: [PostgresColumn] { storage.columns }

    /// Decodes the named column; NULL decodes only into an `Optional`.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        guard let position = storage.columnIndex[name] else {
            throw PostgresError(.decoding, "the result has no column \"\(name)\"", query: storage.query)
        }
        return try decode(type, at: position)
    }

    /// Decodes the column at `position` (0-based); NULL decodes only into an `Optional`.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at position: Int) throws -> T {
        guard position >= 0, position < storage.columns.count else {
            throw PostgresError(.decoding, "the result has no column \(position) (it has \(storage.columns.count))",
                                query: storage.query)
        }
        let column = storage.columns[position]
        do {
            guard let text = storage.handle.text(row: index, column: position) else { return try T.postgresNull() }
            return try T(postgresText: text, type: column.type)
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.decoding, "column \"\(column.name)\" (\(column.type)) as \(T.self): \(error)",
                                query: storage.query)
        }
    }

    /// Decodes the first columns of the row as a tuple, in order: `try row.decode((UUID, String?).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var position = 0
        func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
            defer { position += 1 }
            return try decode(type, at: position)
        }
        return (repeat try next((each T).self))
    }

    /// Decodes a `json` or `jsonb` column into a `Decodable` value (see ``PostgresJSON``).
    public func decodeJSON<T: Decodable & Sendable>(_ type: T.Type, column name: String) throws -> T {
        try decode(PostgresJSON<T>.self, column: name).value
    }

    /// True when the named column is NULL.
    public func isNull(column name: String) throws -> Bool {
        guard let position = storage.columnIndex[name] else {
            throw PostgresError(.decoding, "the result has no column \"\(name)\"", query: storage.query)
        }
        return storage.handle.text(row: index, column: position) == nil
    }

    /// The raw text of the column at `position`, nil for NULL.
    func text(at position: Int) -> String? { storage.handle.text(row: index, column: position) }
}
