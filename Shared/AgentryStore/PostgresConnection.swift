import Synchronization

/// A connection leased from a ``PostgresClient`` for the duration of a `withConnection` or
/// `withTransaction` closure. Statements on it run one after another on the connection's lane.
///
/// Do not keep it beyond the closure: once the lease ends, its methods throw `.connectionReleased`.
public final class PostgresConnection: Sendable {
    let pooled: PooledConnection
    private let active = Atomic<Bool>(true)

    init(_ pooled: PooledConnection) { self.pooled = pooled }

    /// The server process id serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 { pooled.backendPID }

    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try checkActive(query.sql)
        return try await pooled.run(query)
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await self.query(query).rowsAffected
    }

    /// Runs trusted SQL written in code that may contain several statements (e.g. a migration file),
    /// with the simple query protocol: no parameters, nothing interpolated.
    public func executeScript(_ sql: String) async throws {
        try checkActive(sql)
        _ = try await pooled.runScript(sql)
    }

    /// Ends the lease.
    func invalidate() { active.store(false, ordering: .releasing) }

    private func checkActive(_ sql: String) throws {
        guard active.load(ordering: .acquiring) else {
            throw PostgresError(.connectionReleased, "the connection was used after its withConnection scope ended",
                                query: sql)
        }
    }
}
