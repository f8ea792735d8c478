/// An error from the PostgreSQL store: a ``Code`` plus the context that explains it.
///
/// Server errors carry the SQLSTATE, the server's message and detail, and the SQL text of the query
/// (never its bound values). ``shortDescription`` is short and stable, safe to use as a metric label.
///
/// ```swift
/// do {
///     try await client.execute("INSERT INTO api_keys (id, name, key_hash, prefix, role) VALUES ...")
/// } catch let error as PostgresError where error.isUniqueViolation {
///     // the key already exists
/// }
/// ```
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// The connection URL or configuration is invalid.
        case invalidConfiguration = "invalid_configuration"
        /// A new connection could not be established (server down, wrong credentials, ...).
        case connectionFailed = "connection_failed"
        /// The connection broke; the outcome of the statement in flight, if any, is unknown.
        case connectionLost = "connection_lost"
        /// The server rejected the statement; see ``PostgresError/sqlState``.
        case server = "server"
        /// A value could not be encoded as a bind parameter.
        case encoding = "encoding"
        /// A column could not be decoded into the requested Swift type.
        case decoding = "decoding"
        /// The client was closed.
        case poolClosed = "pool_closed"
        /// A connection was used after its `withConnection` scope ended.
        case connectionReleased = "connection_released"
        /// No connection became available before the checkout timeout.
        case timeout = "timeout"
        /// The server sent something this client does not handle (e.g. COPY data).
        case unsupported = "unsupported"
        /// A migration could not be applied or an applied migration was changed.
        case migration = "migration"
    }

    /// What went wrong.
    public let code: Code
    /// The SQLSTATE reported by the server (`PG_DIAG_SQLSTATE`), e.g. `23505`.
    public let sqlState: String?
    /// The server's primary message, or a description of the local failure.
    public let message: String
    /// The server's detail (`PG_DIAG_MESSAGE_DETAIL`), if any. It may quote row values (e.g. the
    /// duplicate key), so ``description`` leaves it out; log it deliberately if at all.
    public let detail: String?
    /// The server's hint (`PG_DIAG_MESSAGE_HINT`), if any.
    public let hint: String?
    /// The constraint that was violated (`PG_DIAG_CONSTRAINT_NAME`), if any.
    public let constraintName: String?
    /// The SQL text of the failing query, with `$n` placeholders; bound values are never included.
    public let query: String?

    /// True when the statement was certainly not sent (the connection was found broken before it),
    /// so it is safe to run it again on another connection.
    let notSent: Bool

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraintName: String? = nil, query: String? = nil
    ) {
        self.init(code, message, sqlState: sqlState, detail: detail, hint: hint, constraintName: constraintName,
                  query: query, notSent: false)
    }

    init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraintName: String? = nil, query: String? = nil, notSent: Bool
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraintName = constraintName
        self.query = query
        self.notSent = notSent
    }

    /// A short, stable description safe to use as a metric label (`server`, `connection_lost`, ...).
    public var shortDescription: String { code.rawValue }

    /// True for a unique-constraint violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// True for a foreign-key violation (SQLSTATE 23503).
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// True for a CHECK-constraint violation (SQLSTATE 23514).
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// True for a serialization failure or deadlock (SQLSTATE 40001 / 40P01): retry the transaction.
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The same error with the query text attached.
    func with(query: String) -> PostgresError {
        PostgresError(code, message, sqlState: sqlState, detail: detail, hint: hint, constraintName: constraintName,
                      query: query, notSent: notSent)
    }

    public var description: String {
        var text = "PostgreSQL \(code.rawValue)"
        if let sqlState { text += " (\(sqlState))" }
        text += ": \(message)"
        if let hint, !hint.isEmpty { text += "; hint: \(hint)" }
        if let query {
            let oneLine = query.split(whereSeparator: \.isNewline).joined(separator: " ")
            text += "; query: " + (oneLine.count > 300 ? String(oneLine.prefix(300)) + "…" : oneLine)
        }
        return text
    }
}
