import Synchronization

/// One pooled libpq connection: its lane, plus what the pool needs to know between operations.
final class PooledConnection: Sendable {
    /// The pool's number for this connection (for logs).
    let id: Int
    /// The server process serving this connection.
    let backendPID: Int32
    private let lane: PostgresLane
    private let broken = Atomic<Bool>(false)
    private let transaction = Atomic<UInt8>(PostgresSession.TransactionState.idle.rawValue)

    private init(id: Int, backendPID: Int32, lane: PostgresLane) {
        self.id = id
        self.backendPID = backendPID
        self.lane = lane
    }

    /// Starts a lane and connects on it (blocking only the lane's thread).
    static func connect(id: Int, configuration: PostgresConfiguration) async throws -> PooledConnection {
        let lane = PostgresLane.start(
            name: "postgres-\(id)", statementCacheCapacity: configuration.statementCacheCapacity)
        do {
            let pid = try await lane.perform { session in try session.connect(configuration) }
            return PooledConnection(id: id, backendPID: pid, lane: lane)
        } catch {
            lane.stop()
            throw error
        }
    }

    /// True once an operation found the connection unusable.
    var isBroken: Bool { broken.load(ordering: .acquiring) }

    /// The transaction state after the last operation.
    var transactionState: PostgresSession.TransactionState {
        PostgresSession.TransactionState(rawValue: transaction.load(ordering: .acquiring)) ?? .unknown
    }

    /// Runs one statement.
    func run(_ query: PostgresQuery) async throws -> PostgresRows {
        try await perform { session in try session.run(query) }
    }

    /// Runs a multi-statement script (simple protocol).
    func runScript(_ sql: String) async throws -> PostgresRows {
        try await perform { session in try session.runScript(sql) }
    }

    /// Checks without blocking that the server has not closed the connection.
    func probe() async -> Bool {
        (try? await perform { session in session.probe() }) ?? false
    }

    /// Closes the connection without waiting for the lane to finish.
    func close() { lane.stop() }

    /// Closes the connection and waits until it is closed.
    func shutdown() async { await lane.shutdown() }

    private func perform<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        do {
            return try await lane.perform { session in
                defer { self.record(session) }
                return try body(session)
            }
        } catch let error as PostgresError where error.code == .connectionLost {
            broken.store(true, ordering: .releasing)
            throw error
        }
    }

    private func record(_ session: PostgresSession) {
        if session.isBroken { broken.store(true, ordering: .releasing) }
        transaction.store(session.transactionState.rawValue, ordering: .releasing)
    }
}
