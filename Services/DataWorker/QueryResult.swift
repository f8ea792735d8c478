import AgentryContracts
import AgentryStore

/// The rows a query returned, as text cells with their column types, capped at the row limit.
struct QueryResult: Sendable, Equatable {
    /// The result columns, with names made unique (see ``uniqueNames(_:)``).
    var columns: [Column]
    /// The cells, row by row, in the server's text form; nil is SQL NULL.
    var rows: [[String?]]
    /// True when the query had more rows than the cap.
    var truncated: Bool

    /// A result column.
    struct Column: Sendable, Equatable {
        var name: String
        var type: PostgresDataType
    }

    init(columns: [Column], rows: [[String?]], truncated: Bool) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
    }

    /// The first `maxRows` rows of `result`; ``truncated`` when it has more.
    init(_ result: PostgresRows, maxRows: Int) throws {
        let names = Self.uniqueNames(result.columns.map(\.name))
        columns = zip(names, result.columns).map { Column(name: $0, type: $1.type) }
        let kept = result.prefix(maxRows)
        rows = try kept.map { row in try (0..<names.count).map { try row.decode(String?.self, at: $0) } }
        truncated = result.count > maxRows
    }

    /// `names` with later duplicates renamed `<name>_2`, `<name>_3`, ... (never clashing with another
    /// column), so that every column has its own key in a row object: `SELECT a.id, b.id` gives
    /// `id` and `id_2`.
    static func uniqueNames(_ names: [String]) -> [String] {
        var taken = Set(names)
        var seen: Set<String> = []
        return names.map { name in
            if seen.insert(name).inserted { return name }
            var suffix = 2
            while taken.contains("\(name)_\(suffix)") { suffix += 1 }
            let unique = "\(name)_\(suffix)"
            taken.insert(unique)
            seen.insert(unique)
            return unique
        }
    }

    /// The tool's output: `{columns, rows: [{column: value}], rowCount, truncated, text}`.
    func json(table: TextTable) -> JSONValue {
        let names = columns.map(\.name)
        let objects = rows.map { row -> JSONValue in
            var object: [String: JSONValue] = [:]
            for (column, cell) in zip(columns, row) { object[column.name] = SQLValue.json(cell, type: column.type) }
            return .object(object)
        }
        let text = table.render(
            headers: names, rightAligned: columns.map { SQLValue.isNumeric($0.type) },
            rows: rows.map { row in zip(row, columns).map { SQLValue.display($0, type: $1.type) } },
            truncated: truncated)
        return [
            "columns": .array(names.map(JSONValue.string)),
            "rows": .array(objects),
            "rowCount": .number(Double(rows.count)),
            "truncated": .bool(truncated),
            "text": .string(text),
        ]
    }
}
