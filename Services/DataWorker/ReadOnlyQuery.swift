import AgentryStore

/// Runs a step's SQL, one statement, so that it can read but never write, never run longer than the
/// statement timeout, never return more than the row cap, and leave nothing behind on the connection.
///
/// On one pooled connection:
///
/// 1. `BEGIN TRANSACTION READ ONLY`, then `set_config('statement_timeout', <ms>, true)` (the
///    transaction-local `SET LOCAL`).
/// 2. `SAVEPOINT`, then `DECLARE agentry_rows NO SCROLL CURSOR FOR <sql>` and
///    `FETCH FORWARD <cap + 1>`: the server produces at most one row more than the cap, however
///    many the query would return, so neither the database nor the worker does (or holds) more.
///    The statement is parsed as it is written: nothing is appended to it and it is not wrapped in
///    a subquery, so `ORDER BY`, `LIMIT`, `WITH`, comments and a trailing `;` all keep their meaning.
/// 3. A cursor can only hold a query. When the server refuses the `DECLARE` as a syntax error
///    (42601) or an unsupported feature (0A000) — an `INSERT`, `SHOW`, `EXPLAIN`, a data-modifying
///    `WITH` — the savepoint is rolled back and the statement runs directly, still inside the
///    read-only transaction: a write then fails with the server's own read-only error (25006),
///    and a real syntax error is reported with positions in the step's own text. Statements that
///    are not queries return small results; at most the cap is decoded from them too.
/// 4. `ROLLBACK`, then `DISCARD ALL`, which also drops what a transaction does not undo (session
///    advisory locks, prepared statements, `LISTEN`), so the next query on the connection starts clean.
///
/// Statements are sent with the extended query protocol, which accepts exactly one statement, so
/// `SELECT 1; COMMIT; DELETE ...` is refused outright. Read-only transactions are the second line
/// of defence: the data source's role should itself be granted only what steps may read.
struct ReadOnlyQuery: Sendable {
    /// The most rows returned; one more is fetched to know whether there were more.
    let maxRows: Int
    /// `statement_timeout` for every statement, in milliseconds.
    let statementTimeoutMilliseconds: Int

    /// SQLSTATEs with which the server refuses a statement as a cursor's query.
    static let notACursorQuery: Set<String> = ["42601", "0A000"]

    /// Runs `sql` on a connection of `client`.
    ///
    /// - Throws: ``PostgresError`` from the server or the connection.
    func run(_ sql: String, on client: PostgresClient) async throws -> QueryResult {
        try await client.withConnection { connection in
            try await connection.execute("BEGIN TRANSACTION READ ONLY")
            let result: QueryResult
            do {
                try await connection.execute(
                    "SELECT set_config('statement_timeout', \(String(statementTimeoutMilliseconds)), true)")
                result = try await fetch(sql, on: connection)
            } catch {
                await reset(connection)
                throw error
            }
            await reset(connection)
            return result
        }
    }

    private func fetch(_ sql: String, on connection: PostgresConnection) async throws -> QueryResult {
        try await connection.execute("SAVEPOINT agentry_query")
        do {
            try await connection.execute(PostgresQuery(unsafeSQL: "DECLARE agentry_rows NO SCROLL CURSOR FOR " + sql))
        } catch let error as PostgresError
            where error.code == .server && Self.notACursorQuery.contains(error.sqlState ?? "")
        {
            try await connection.execute("ROLLBACK TO SAVEPOINT agentry_query")
            return try QueryResult(try await connection.query(PostgresQuery(unsafeSQL: sql)), maxRows: maxRows)
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "FETCH FORWARD \(maxRows + 1) FROM agentry_rows"))
        return try QueryResult(rows, maxRows: maxRows)
    }

    /// Ends the transaction and clears the session; a connection this fails on is broken and the
    /// pool replaces it.
    private func reset(_ connection: PostgresConnection) async {
        _ = try? await connection.execute("ROLLBACK")
        _ = try? await connection.execute("DISCARD ALL")
    }
}
