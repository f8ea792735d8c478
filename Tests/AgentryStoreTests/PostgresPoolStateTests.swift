import Testing
@testable import AgentryStore

@Suite struct PostgresPoolStateTests {
    final class Connection {}
    typealias State = PostgresPoolState<Connection, String>

    @Test func growsOnDemandUpToTheMaximumThenQueues() throws {
        var state = State(maximumConnections: 2)
        guard case .wait(connect: 0) = state.lease(id: 1, waiter: "a") else { Issue.record("a should wait"); return }
        guard case .wait(connect: 0) = state.lease(id: 2, waiter: "b") else { Issue.record("b should wait"); return }
        guard case .wait(connect: nil) = state.lease(id: 3, waiter: "c") else { Issue.record("c: no 3rd"); return }
        #expect(state.total == 2)
        let first = Connection()
        guard case .lease("a", let leased) = state.connected(first) else { Issue.record("a served"); return }
        #expect(leased === first)
        guard case .lease("b", _) = state.connected(Connection()) else { Issue.record("b served"); return }
        #expect(state.leased == 2)
        guard case .lease("c", let reused) = state.release(first, reusable: true) else {
            Issue.record("c gets the released connection"); return
        }
        #expect(reused === first)
        #expect(state.waiters.isEmpty)
    }

    @Test func idleConnectionsAreReusedWithoutQueueing() {
        var state = State(maximumConnections: 1)
        _ = state.lease(id: 1, waiter: "a")
        let connection = Connection()
        _ = state.connected(connection)
        guard case .none = state.release(connection, reusable: true) else { Issue.record("goes idle"); return }
        #expect(state.idle.count == 1)
        #expect(state.leaseIdle() === connection)
        #expect(state.leaseIdle() == nil)
    }

    @Test func brokenConnectionIsClosedAndReplacedForWaiters() {
        var state = State(maximumConnections: 1)
        _ = state.lease(id: 1, waiter: "a")
        let broken = Connection()
        _ = state.connected(broken)
        _ = state.lease(id: 2, waiter: "b")
        guard case .close(let closed, connect: 0) = state.release(broken, reusable: false) else {
            Issue.record("the broken connection is closed and a new one opened"); return
        }
        #expect(closed === broken)
        #expect(state.connecting == 1)
    }

    @Test func failedAttemptsBackOffWhileWaitersRemain() {
        var state = State(maximumConnections: 3)
        _ = state.lease(id: 1, waiter: "a")
        #expect(state.connectFailed(PostgresError(.connectionFailed, "refused")) == 1)
        #expect(state.connectFailed(PostgresError(.connectionFailed, "refused")) == 2)
        #expect(state.timeoutError.code == .connectionFailed)
        #expect(state.removeWaiter(id: 1) == "a")
        #expect(state.connectFailed(PostgresError(.connectionFailed, "refused")) == nil)
        #expect(state.total == 0)
        _ = state.lease(id: 2, waiter: "b")
        guard case .lease("b", _) = state.connected(Connection()) else { Issue.record("b served"); return }
        #expect(state.consecutiveFailures == 0)
        #expect(state.lastConnectError == nil)
    }

    @Test func attemptIsAbandonedWhenNoWaiterNeedsIt() {
        var state = State(maximumConnections: 2)
        _ = state.lease(id: 1, waiter: "a")
        #expect(state.connectFailed(PostgresError(.connectionFailed, "refused")) == 1)
        let needed = state.shouldConnect()
        #expect(needed)
        #expect(state.removeWaiter(id: 1) == "a")
        let stillNeeded = state.shouldConnect()
        #expect(!stillNeeded)
        #expect(state.connecting == 0)
        #expect(state.total == 0)
    }

    @Test func timeoutWithoutFailuresIsATimeout() {
        var state = State(maximumConnections: 1)
        _ = state.lease(id: 1, waiter: "a")
        #expect(state.timeoutError.code == .timeout)
    }

    @Test func closeFailsWaitersAndClosesEverything() {
        var state = State(maximumConnections: 2)
        _ = state.lease(id: 1, waiter: "a")
        let leased = Connection()
        _ = state.connected(leased)
        _ = state.lease(id: 2, waiter: "b")
        let (idle, waiters) = state.close()
        #expect(idle.isEmpty)
        #expect(waiters == ["b"])
        guard case .fail(let error) = state.lease(id: 3, waiter: "c") else { Issue.record("closed"); return }
        #expect(error.code == .poolClosed)
        guard case .close(_, connect: nil) = state.release(leased, reusable: true) else {
            Issue.record("released after close: closed"); return
        }
        guard case .close(_, connect: nil) = state.connected(Connection()) else {
            Issue.record("connected after close: closed"); return
        }
    }
}
