internal import CLibPQ

/// Owns one libpq `PGresult` and frees it when the last reference goes away.
///
/// `@unchecked Sendable` is sound because a `PGresult` is read-only once libpq has returned it and
/// libpq documents that such results "can be passed around freely between threads"; this type only
/// reads it (`PQgetvalue`, `PQgetisnull`, ...) and frees it exactly once, in `deinit`.
final class PostgresResultHandle: @unchecked Sendable {
    let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }

    deinit { PQclear(result) }

    var rowCount: Int { Int(PQntuples(result)) }
    var columnCount: Int { Int(PQnfields(result)) }

    func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }
    func columnType(_ column: Int) -> PostgresDataType { PostgresDataType(PQftype(result, Int32(column))) }

    /// The cell's text, or nil for SQL NULL.
    func text(row: Int, column: Int) -> String? {
        let row = Int32(row)
        let column = Int32(column)
        if PQgetisnull(result, row, column) != 0 { return nil }
        guard let value = PQgetvalue(result, row, column) else { return nil }
        let length = Int(PQgetlength(result, row, column))
        return String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)
    }

    /// The number of rows a command affected (`PQcmdTuples`), 0 when not applicable.
    var rowsAffected: Int {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The command tag, e.g. `INSERT 0 1` or `SELECT 3`.
    var commandTag: String {
        guard let text = PQcmdStatus(result) else { return "" }
        return String(cString: text)
    }
}
