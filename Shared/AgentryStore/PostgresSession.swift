internal import CLibPQ
import Foundation

/// The libpq connection of one lane, and its prepared-statement cache.
///
/// Lane-confined: created, used and closed only on its ``PostgresLane``'s thread (the lane passes it to
/// each work item and never lets it escape), so it needs no locking and is not `Sendable`.
final class PostgresSession {
    /// A cached prepared statement is keyed by its SQL text and parameter types.
    private struct StatementKey: Hashable {
        let sql: String
        let types: [PostgresDataType]
    }

    /// Where the connection stands after the last operation.
    enum TransactionState: UInt8, Sendable {
        case idle, inTransaction, failedTransaction, unknown
    }

    private var connection: OpaquePointer?
    private var statements: [StatementKey: String] = [:]
    private var statementCounter = 0
    private let statementCacheCapacity: Int
    /// True once the connection is known to be unusable; the pool discards it.
    private(set) var isBroken = false

    init(statementCacheCapacity: Int) {
        self.statementCacheCapacity = statementCacheCapacity
    }

    deinit { close() }

    /// Opens the connection (blocking, on the lane); returns the server process id.
    func connect(_ configuration: PostgresConfiguration) throws -> Int32 {
        let parameters = configuration.libpqParameters()
        let opened = try PostgresCStrings.with(parameters.map(\.0), nullTerminated: true) { keywords in
            try PostgresCStrings.with(parameters.map(\.1), nullTerminated: true) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let opened else { throw PostgresError(.connectionFailed, "libpq could not allocate a connection") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = Self.errorMessage(opened)
            PQfinish(opened)
            throw PostgresError(.connectionFailed, message.isEmpty ? "could not connect" : message)
        }
        cpq_silence_notices(opened)
        connection = opened
        return PQbackendPID(opened)
    }

    /// The state of the connection's transaction.
    var transactionState: TransactionState {
        guard let connection, !isBroken else { return .unknown }
        switch PQtransactionStatus(connection) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failedTransaction
        default: return .unknown
        }
    }

    /// Reads what the server sent while the connection was idle, without blocking; false (and broken)
    /// if that shows the connection closed, e.g. because the server restarted.
    func probe() -> Bool {
        guard let connection, !isBroken else { return false }
        if cpq_probe(connection) == 0 { isBroken = true }
        return !isBroken
    }

    /// Runs one statement with its parameters, prepared and cached per distinct SQL text.
    func run(_ query: PostgresQuery) throws -> PostgresRows {
        guard let connection, probe() else {
            throw PostgresError(.connectionLost, "the connection to the server was lost", query: query.sql,
                                notSent: true)
        }
        if let failure = query.binds.encodingFailure {
            throw PostgresError(.encoding, "parameter $\(failure.parameter): \(failure.reason)", query: query.sql)
        }
        guard query.binds.count <= 65535 else {
            throw PostgresError(.encoding, "a statement takes at most 65535 parameters", query: query.sql)
        }
        do {
            return try execute(query, on: connection)
        } catch let error as PostgresError where isStaleStatement(error) {
            // The cached plan or statement went away (schema change, DISCARD); outside a transaction the
            // statement did not run, so prepare it again and retry once.
            drop(StatementKey(sql: query.sql, types: query.binds.types), on: connection)
            guard transactionState == .idle else { throw error }
            return try execute(query, on: connection)
        }
    }

    private func execute(_ query: PostgresQuery, on connection: OpaquePointer) throws -> PostgresRows {
        let key = StatementKey(sql: query.sql, types: query.binds.types)
        let types = query.binds.types.map(\.rawValue)
        let count = Int32(query.binds.count)
        let result: OpaquePointer?
        do {
            result = try PostgresCStrings.with(query.binds.values) { values -> OpaquePointer? in
                if let name = statements[key] {
                    return PQexecPrepared(connection, name, count, values, nil, nil, 0)
                }
                guard statements.count < statementCacheCapacity else {
                    return PQexecParams(connection, query.sql, count, types, values, nil, nil, 0)
                }
                statementCounter += 1
                let name = "agentry_\(statementCounter)"
                let prepared = PQprepare(connection, name, query.sql, count, types)
                guard let prepared, PQresultStatus(prepared) == PGRES_COMMAND_OK else { return prepared }
                PQclear(prepared)
                statements[key] = name
                return PQexecPrepared(connection, name, count, values, nil, nil, 0)
            }
        } catch let failure as PostgresCodingFailure {
            throw PostgresError(.encoding, "parameter \(failure.reason)", query: query.sql)
        }
        return try rows(from: result, query: query.sql)
    }

    /// Runs trusted SQL that may hold several statements (simple protocol, no parameters).
    func runScript(_ sql: String) throws -> PostgresRows {
        guard let connection, probe() else {
            throw PostgresError(.connectionLost, "the connection to the server was lost", query: sql, notSent: true)
        }
        let result: OpaquePointer?
        do {
            result = try PostgresCStrings.with([sql]) { _ in PQexec(connection, sql) }
        } catch {
            throw PostgresError(.encoding, "the script contains a NUL byte", query: sql)
        }
        return try rows(from: result, query: sql)
    }

    /// Closes the connection (on the lane, as its last act).
    func close() {
        guard let connection else { return }
        PQfinish(connection)
        self.connection = nil
        statements.removeAll()
    }

    private func rows(from result: OpaquePointer?, query: String) throws -> PostgresRows {
        guard let result else { throw failure(nil, query: query) }
        let handle = PostgresResultHandle(result)
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(handle: handle, query: query)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            isBroken = true
            throw PostgresError(.unsupported, "COPY is not supported by this client", query: query)
        default:
            throw failure(result, query: query)
        }
    }

    /// The error for a failed result (or a NULL result); marks the session broken on connection errors.
    private func failure(_ result: OpaquePointer?, query: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let message = field("M") ?? connection.map(Self.errorMessage) ?? "unknown error"
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
            || sqlState?.hasPrefix("08") == true || sqlState.map(["57P01", "57P02", "57P03"].contains) == true
        if lost { isBroken = true }
        return PostgresError(
            lost ? .connectionLost : .server, message.isEmpty ? "unknown error" : message, sqlState: sqlState,
            detail: field("D"), hint: field("H"), constraintName: field("n"), query: query)
    }

    private func isStaleStatement(_ error: PostgresError) -> Bool {
        error.sqlState == "26000" || (error.sqlState == "0A000" && error.message.contains("cached plan"))
    }

    private func drop(_ key: StatementKey, on connection: OpaquePointer) {
        guard let name = statements.removeValue(forKey: key) else { return }
        if transactionState == .idle, let result = PQexec(connection, "DEALLOCATE \(name)") { PQclear(result) }
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        guard let message = PQerrorMessage(connection) else { return "" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
