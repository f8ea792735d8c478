import Logging

/// A pool of PostgreSQL connections over libpq: lease one with ``withConnection(isolation:_:)``, run a
/// transaction with ``withTransaction(isolation:_:_:)``, or run single statements with ``query(_:)``
/// and ``execute(_:)``.
///
/// Each connection has its own thread (a serial lane) for its blocking libpq calls; callers wait
/// asynchronously. Connections open on demand up to ``PostgresConfiguration/poolSize``. A connection
/// found broken (e.g. after a server restart) is discarded and replaced; the statement that found
/// it broken throws `.connectionLost` and is not re-run, except when it was certainly not sent.
///
/// ```swift
/// let client = try PostgresClient(url: "postgres://agentry:secret@127.0.0.1:5432/agentry", logger: logger)
/// try await client.withTransaction { connection in
///     try await connection.execute("UPDATE runs SET status = \(status) WHERE id = \(runID)")
///     try await connection.execute("INSERT INTO outbox (envelope_id, ...) VALUES (\(envelopeID), ...)")
/// }
/// let count = try await client.query("SELECT count(*) FROM runs").first?.decode(Int.self, at: 0)
/// await client.close()
/// ```
public final class PostgresClient: Sendable {
    /// The configuration the client was created with.
    public var configuration: PostgresConfiguration { pool.configuration }

    private let pool: PostgresConnectionPool
    private let logger: Logger

    /// Creates a client; no connection is opened until the first statement.
    public init(configuration: PostgresConfiguration, logger: Logger = PostgresClient.silentLogger) {
        self.pool = PostgresConnectionPool(configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// Creates a client from a `postgres://` URL (see ``PostgresConfiguration/init(url:)``).
    public convenience init(
        url: String, poolSize: Int = 10, applicationName: String = "agentry",
        logger: Logger = PostgresClient.silentLogger
    ) throws {
        var configuration = try PostgresConfiguration(url: url)
        configuration.poolSize = poolSize
        if !url.contains("application_name=") { configuration.applicationName = applicationName }
        self.init(configuration: configuration, logger: logger)
    }

    /// A logger that drops everything, the default when none is given.
    public static var silentLogger: Logger {
        Logger(label: "agentry.store", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// True when the database was reachable at the last connection attempt or statement (readiness);
    /// see ``ping()`` for an active check.
    public var isConnected: Bool { pool.isHealthy }

    /// Runs `SELECT 1`; throws if the database cannot be reached.
    public func ping() async throws {
        let rows = try await query("SELECT 1")
        guard try rows.first?.decode(Int.self, at: 0) == 1 else {
            throw PostgresError(.unsupported, "SELECT 1 did not return 1", query: "SELECT 1")
        }
    }

    /// Leases a connection for the duration of `body`; the connection returns to the pool afterwards
    /// (a transaction left open is rolled back). The connection is checked first without blocking.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let pooled = try await pool.checkout(probe: true)
        let connection = PostgresConnection(pooled)
        do {
            let result = try await body(connection)
            connection.invalidate()
            await finish(pooled)
            return result
        } catch {
            connection.invalidate()
            await finish(pooled)
            throw error
        }
    }

    /// Runs `body` in a transaction: `BEGIN`, then `COMMIT` if `body` returns, or `ROLLBACK` and rethrow if
    /// it throws. A transaction that an earlier error aborted is rolled back and reported as an error.
    @discardableResult
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ level: PostgresIsolationLevel? = nil,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let begin = PostgresQuery(unsafeSQL: level.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN")
        let (pooled, _) = try await leaseRunning { try await $0.run(begin) }
        let connection = PostgresConnection(pooled)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            connection.invalidate()
            if !pooled.isBroken { _ = try? await pooled.run("ROLLBACK") }
            await finish(pooled)
            throw error
        }
        connection.invalidate()
        do {
            if pooled.transactionState == .failedTransaction {
                _ = try await pooled.run("ROLLBACK")
                throw Self.abortedTransaction
            }
            let commit = try await pooled.run("COMMIT")
            if commit.commandTag == "ROLLBACK" { throw Self.abortedTransaction }
        } catch {
            await finish(pooled)
            throw error
        }
        await finish(pooled)
        return result
    }

    /// Runs one statement on a pooled connection and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        let (pooled, rows) = try await leaseRunning { try await $0.run(query) }
        await finish(pooled)
        return rows
    }

    /// Runs one statement on a pooled connection and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await self.query(query).rowsAffected
    }

    /// Closes idle connections and refuses new work; leased connections close when their lease ends.
    public func close() async {
        await pool.close()
    }

    /// Connection counts: idle, leased, being opened, and callers waiting.
    public var poolStatistics: (idle: Int, leased: Int, connecting: Int, waiting: Int) { pool.statistics }

    /// Leases a connection and runs `first` on it, moving to another connection when `first` found the
    /// connection closed before sending anything. On any other error the lease ends and the error is thrown.
    private func leaseRunning<T: Sendable>(
        _ first: (PooledConnection) async throws -> T
    ) async throws -> (PooledConnection, T) {
        var attempts = 0
        while true {
            let pooled = try await pool.checkout(probe: false)
            do {
                let value = try await first(pooled)
                return (pooled, value)
            } catch let error as PostgresError where error.notSent && attempts <= configuration.poolSize {
                attempts += 1
                await pool.release(pooled)
            } catch {
                await finish(pooled)
                throw error
            }
        }
    }

    private func finish(_ pooled: PooledConnection) async {
        if !pooled.isBroken { pool.markHealthy() }
        await pool.release(pooled)
    }

    private static var abortedTransaction: PostgresError {
        PostgresError(.server, "the transaction was aborted by an earlier error and has been rolled back",
                      sqlState: "25P02", query: "COMMIT")
    }
}
