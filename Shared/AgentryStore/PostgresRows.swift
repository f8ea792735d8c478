/// The result of a statement: its rows (a random-access collection of ``PostgresRow``), its columns and,
/// for commands, the number of rows affected.
///
/// ```swift
/// let rows = try await client.query("SELECT id, status FROM runs WHERE tenant = \(tenant)")
/// for row in rows {
///     let (id, status) = try row.decode((UUID, String).self)
/// }
/// ```
public struct PostgresRows: Sendable, RandomAccessCollection {
    let storage: Storage

    /// Result metadata shared by the rows.
    final class Storage: Sendable {
        let handle: PostgresResultHandle
        let columns: [PostgresColumn]
        let columnIndex: [String: Int]
        let query: String

        init(handle: PostgresResultHandle, query: String) {
            self.handle = handle
            self.query = query
            let columns = (0..<handle.columnCount).map {
                PostgresColumn(name: handle.columnName($0), type: handle.columnType($0))
            }
            self.columns = columns
            var index: [String: Int] = [:]
            for (position, column) in columns.enumerated() where index[column.name] == nil {
                index[column.name] = position
            }
            self.columnIndex = index
        }
    }

    /// The number of rows affected by an INSERT, UPDATE, DELETE, MERGE, SELECT or COPY.
    public let rowsAffected: Int
    /// The command tag, e.g. `INSERT 0 1`.
    public let commandTag: String
    public let count: Int

    init(handle: PostgresResultHandle, query: String) {
        storage = Storage(handle: handle, query: query)
        rowsAffected = handle.rowsAffected
        commandTag = handle.commandTag
        count = handle.rowCount
    }

    /// The result columns.
    public var columns: [PostgresColumn] { storage.columns }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < count, "row index out of range")
        return PostgresRow(storage: storage, index: position)
    }
}
