import Foundation

extension PostgresRow {
    /// How a `Decodable` type's property names map to column names.
    public enum ColumnNaming: Sendable {
        /// Columns are named exactly like the properties.
        case sameAsProperties
        /// `createdAt` reads column `created_at`.
        case snakeCase
    }

    /// Decodes a `Decodable` struct from the row, one property per column.
    ///
    /// Properties whose type is ``PostgresDecodable`` decode from the column's text; other types decode
    /// from `json`/`jsonb` columns as JSON, or from a single value (e.g. a `String`-backed enum).
    ///
    /// ```swift
    /// struct RunSummary: Decodable { let id: UUID; let status: RunStatus; let createdAt: Date }
    /// let runs = try rows.map { try $0.decodeRecord(RunSummary.self, naming: .snakeCase) }
    /// ```
    public func decodeRecord<T: Decodable>(_ type: T.Type, naming: ColumnNaming = .sameAsProperties) throws -> T {
        do {
            return try T(from: PostgresRowDecoder(row: self, naming: naming))
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.decoding, "\(T.self) from a row: \(error)", query: storage.query)
        }
    }

    /// Decodes `T` from the column at `position` with the record rules (see ``decodeRecord(_:naming:)``).
    func decodeValue<T: Decodable>(_ type: T.Type, at position: Int, codingPath: [any CodingKey]) throws -> T {
        if let decodable = T.self as? any PostgresDecodable.Type {
            return try decodePostgres(decodable, at: position) as! T
        }
        let column = columns[position]
        if column.type == .json || column.type == .jsonb {
            guard let text = text(at: position) else {
                throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath, debugDescription: "NULL"))
            }
            return try PostgresJSONCoders.makeDecoder().decode(T.self, from: Data(text.utf8))
        }
        return try T(from: PostgresCellDecoder(row: self, position: position, codingPath: codingPath))
    }

    private func decodePostgres<P: PostgresDecodable>(_ type: P.Type, at position: Int) throws -> P {
        try decode(type, at: position)
    }

    /// The column for a property name under `naming`.
    static func columnName(for key: String, naming: ColumnNaming) -> String {
        switch naming {
        case .sameAsProperties:
            return key
        case .snakeCase:
            var name = ""
            for character in key {
                if character.isUppercase {
                    if !name.isEmpty { name.append("_") }
                    name.append(contentsOf: character.lowercased())
                } else {
                    name.append(character)
                }
            }
            return name
        }
    }
}
