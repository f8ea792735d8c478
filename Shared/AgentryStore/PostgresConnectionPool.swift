import Logging
import Synchronization

/// Leases connections to callers: idle ones first, new ones up to the pool size, and otherwise queues
/// callers (async, cancellable, with a timeout). Broken connections are discarded and replaced on
/// demand; failed connection attempts are retried with jittered exponential back-off.
final class PostgresConnectionPool: Sendable {
    struct Waiter: Sendable {
        let continuation: UnsafeContinuation<PooledConnection, any Error>
        let timeout: Task<Void, Never>
    }

    let configuration: PostgresConfiguration
    private let logger: Logger
    private let state: Mutex<PostgresPoolState<PooledConnection, Waiter>>
    private let nextWaiterID = Atomic<Int>(0)
    private let nextConnectionID = Atomic<Int>(0)
    private let healthy = Atomic<Bool>(false)

    init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(PostgresPoolState(maximumConnections: configuration.poolSize))
    }

    deinit {
        let idle = state.withLock { $0.close().idle }
        for connection in idle { connection.close() }
    }

    /// True after a successful connection or statement, false after a failed attempt or a lost connection.
    var isHealthy: Bool { healthy.load(ordering: .relaxed) }

    /// A statement succeeded: the database is reachable.
    func markHealthy() {
        if !healthy.load(ordering: .relaxed) { healthy.store(true, ordering: .relaxed) }
    }

    /// Leases a connection; with `probe`, first checks without blocking that the server has not closed it.
    func checkout(probe: Bool) async throws -> PooledConnection {
        while true {
            let connection = try await lease()
            if !probe { return connection }
            if await connection.probe() { return connection }
            logger.debug("discarding a closed database connection", metadata: ["db.connection": "\(connection.id)"])
            finishLease(connection, reusable: false)
        }
    }

    /// Ends a lease: rolls back a transaction left open, then reuses or discards the connection.
    func release(_ connection: PooledConnection) async {
        var reusable = !connection.isBroken
        if reusable && connection.transactionState != .idle {
            _ = try? await connection.run("ROLLBACK")
            reusable = !connection.isBroken && connection.transactionState == .idle
        }
        finishLease(connection, reusable: reusable)
    }

    /// Closes idle connections, fails waiters; leased connections close when released.
    func close() async {
        let (idle, waiters) = state.withLock { $0.close() }
        for waiter in waiters {
            waiter.timeout.cancel()
            waiter.continuation.resume(throwing: PostgresPoolState<PooledConnection, Waiter>.closedError)
        }
        for connection in idle { await connection.shutdown() }
    }

    /// Counts for tests and diagnostics.
    var statistics: (idle: Int, leased: Int, connecting: Int, waiting: Int) {
        state.withLock { ($0.idle.count, $0.leased, $0.connecting, $0.waiters.count) }
    }

    private func lease() async throws -> PooledConnection {
        if let connection = state.withLock({ $0.leaseIdle() }) { return connection }
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                let timeout = Task { [configuration] in
                    do { try await Task.sleep(for: configuration.checkoutTimeout) } catch { return }
                    self.failWaiter(id) { $0.timeoutError }
                }
                let action = state.withLock { state -> PostgresPoolState<PooledConnection, Waiter>.LeaseAction in
                    if Task.isCancelled { return .fail(PostgresError(.timeout, "the caller was cancelled")) }
                    return state.lease(id: id, waiter: Waiter(continuation: continuation, timeout: timeout))
                }
                switch action {
                case .lease(let connection):
                    timeout.cancel()
                    continuation.resume(returning: connection)
                case .fail(let error):
                    timeout.cancel()
                    continuation.resume(throwing: Task.isCancelled ? CancellationError() : error)
                case .wait(let attempt):
                    if let attempt { startConnecting(attempt: attempt) }
                }
            }
        } onCancel: {
            failWaiter(id) { _ in CancellationError() }
        }
    }

    private func failWaiter(
        _ id: Int, _ error: (PostgresPoolState<PooledConnection, Waiter>) -> any Error
    ) {
        let removed = state.withLock { state -> (Waiter, any Error)? in
            guard let waiter = state.removeWaiter(id: id) else { return nil }
            return (waiter, error(state))
        }
        guard let (waiter, error) = removed else { return }
        waiter.timeout.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private func finishLease(_ connection: PooledConnection, reusable: Bool) {
        if !reusable, connection.isBroken {
            healthy.store(false, ordering: .relaxed)
            logger.warning("database connection lost", metadata: ["db.connection": "\(connection.id)"])
        }
        perform(state.withLock { $0.release(connection, reusable: reusable) })
    }

    private func perform(_ handOver: PostgresPoolState<PooledConnection, Waiter>.HandOver) {
        switch handOver {
        case .lease(let waiter, let connection):
            waiter.timeout.cancel()
            waiter.continuation.resume(returning: connection)
        case .none:
            break
        case .close(let connection, let attempt):
            connection.close()
            if let attempt { startConnecting(attempt: attempt) }
        }
    }

    private func startConnecting(attempt: Int) {
        Task { await self.connect(attempt: attempt) }
    }

    /// Opens connections until one succeeds or no waiter needs one, backing off between failures.
    private func connect(attempt firstAttempt: Int) async {
        var attempt = firstAttempt
        while true {
            if attempt > 0 {
                try? await Task.sleep(for: backOff(attempt: attempt))
                guard state.withLock({ $0.shouldConnect() }) else { return }
            }
            let id = nextConnectionID.add(1, ordering: .relaxed).newValue
            do {
                let connection = try await PooledConnection.connect(id: id, configuration: configuration)
                healthy.store(true, ordering: .relaxed)
                if attempt > 0 {
                    logger.info("database connection re-established", metadata: ["db.connection": "\(id)"])
                }
                logger.debug("database connection opened", metadata: [
                    "db.connection": "\(id)", "db.backend_pid": "\(connection.backendPID)",
                ])
                perform(state.withLock { $0.connected(connection) })
                return
            } catch {
                healthy.store(false, ordering: .relaxed)
                let failure = error as? PostgresError ?? PostgresError(.connectionFailed, "\(error)")
                logger.warning("database connection attempt failed", metadata: [
                    "db.target": "\(configuration)", "error": "\(failure.message)", "attempt": "\(attempt + 1)",
                ])
                guard let next = state.withLock({ $0.connectFailed(failure) }) else { return }
                attempt = next
            }
        }
    }

    /// The jittered delay before connection attempt `attempt` (1 = after the first failure):
    /// a random point in [cap/2, cap], where cap doubles per failure up to the maximum.
    func backOff(attempt: Int) -> Duration {
        let initial = Double(configuration.reconnectInitialDelay.components.attoseconds) / 1e18
            + Double(configuration.reconnectInitialDelay.components.seconds)
        let maximum = Double(configuration.reconnectMaximumDelay.components.attoseconds) / 1e18
            + Double(configuration.reconnectMaximumDelay.components.seconds)
        let cap = min(maximum, initial * Double(1 << min(attempt - 1, 30)))
        return .seconds(cap / 2 + Double.random(in: 0...(cap / 2)))
    }
}
