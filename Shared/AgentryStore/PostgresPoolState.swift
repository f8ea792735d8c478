/// The connection pool's bookkeeping as a pure state machine: each event returns the action the pool
/// must take (lease to a waiter, start a connection, close one). Generic so that tests can drive it
/// without a database.
struct PostgresPoolState<Connection: AnyObject, Waiter> {
    let maximumConnections: Int
    private(set) var idle: [Connection] = []
    private(set) var leased = 0
    private(set) var connecting = 0
    private(set) var waiters: [(id: Int, waiter: Waiter)] = []
    private(set) var isClosed = false
    /// Connection attempts that failed since the last success; drives the back-off.
    private(set) var consecutiveFailures = 0
    /// Why the last connection attempt failed, while it is the latest news.
    private(set) var lastConnectError: PostgresError?

    init(maximumConnections: Int) {
        self.maximumConnections = max(1, maximumConnections)
    }

    /// Open connections plus connections being opened.
    var total: Int { idle.count + leased + connecting }

    enum LeaseAction {
        /// Use this connection.
        case lease(Connection)
        /// The waiter was queued; open a connection first when `connect` carries a back-off attempt.
        case wait(connect: Int?)
        case fail(PostgresError)
    }

    enum HandOver {
        /// Give the connection to the waiter.
        case lease(Waiter, Connection)
        /// Nothing to do (the connection went idle).
        case none
        /// Close the connection; then open another when `connect` carries a back-off attempt.
        case close(Connection, connect: Int?)
    }

    /// Takes an idle connection if there is one (the fast path without queueing).
    mutating func leaseIdle() -> Connection? {
        guard !isClosed, let connection = idle.popLast() else { return nil }
        leased += 1
        return connection
    }

    /// Leases an idle connection, or queues the waiter (starting a connection if the pool may grow).
    mutating func lease(id: Int, waiter: Waiter) -> LeaseAction {
        if isClosed { return .fail(Self.closedError) }
        if let connection = leaseIdle() { return .lease(connection) }
        waiters.append((id, waiter))
        return .wait(connect: connectIfNeeded())
    }

    /// Removes a waiter that gave up (cancelled or timed out); nil if it was already served.
    mutating func removeWaiter(id: Int) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// A connection attempt succeeded.
    mutating func connected(_ connection: Connection) -> HandOver {
        connecting -= 1
        consecutiveFailures = 0
        lastConnectError = nil
        if isClosed { return .close(connection, connect: nil) }
        return handOver(connection)
    }

    /// Called before each connection attempt: false (and the attempt is abandoned) when the pool closed
    /// or no waiter needs a new connection any more.
    mutating func shouldConnect() -> Bool {
        if !isClosed && waiters.count >= connecting { return true }
        connecting -= 1
        return false
    }

    /// A connection attempt failed; returns the back-off attempt of the next one if waiters still need it.
    mutating func connectFailed(_ error: PostgresError) -> Int? {
        connecting -= 1
        consecutiveFailures += 1
        lastConnectError = error
        return connectIfNeeded()
    }

    /// A lease ended; `reusable` is false when the connection broke or could not be reset.
    mutating func release(_ connection: Connection, reusable: Bool) -> HandOver {
        leased -= 1
        if isClosed { return .close(connection, connect: nil) }
        guard reusable else { return .close(connection, connect: connectIfNeeded()) }
        return handOver(connection)
    }

    /// Closes the pool: returns the idle connections to close and the waiters to fail.
    mutating func close() -> (idle: [Connection], waiters: [Waiter]) {
        isClosed = true
        defer {
            idle.removeAll()
            waiters.removeAll()
        }
        return (idle, waiters.map(\.waiter))
    }

    /// The error for a waiter that timed out: the connection failure while the server is unreachable.
    var timeoutError: PostgresError {
        if let lastConnectError {
            return PostgresError(.connectionFailed, "no connection within the checkout timeout; last attempt: "
                                 + lastConnectError.message)
        }
        return PostgresError(.timeout, "no connection became free within the checkout timeout "
                             + "(\(maximumConnections) connections in use)")
    }

    static var closedError: PostgresError { PostgresError(.poolClosed, "the database client is closed") }

    private mutating func handOver(_ connection: Connection) -> HandOver {
        if waiters.isEmpty {
            idle.append(connection)
            return .none
        }
        leased += 1
        return .lease(waiters.removeFirst().waiter, connection)
    }

    private mutating func connectIfNeeded() -> Int? {
        guard !isClosed, waiters.count > connecting, total < maximumConnections else { return nil }
        connecting += 1
        return consecutiveFailures
    }
}
