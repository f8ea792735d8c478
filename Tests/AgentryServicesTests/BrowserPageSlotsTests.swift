@testable import AgentryBrowserWorker
import AgentryRuntime
import AgentryTestSupport
import Testing

@Suite struct BrowserPageSlotsTests {
    @Test func neverLetsMoreThanThePermitsIn() async throws {
        let slots = AsyncSemaphore(permits: 3)
        let inside = BrowserLockedBox((now: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await slots.withPermit {
                        inside.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        await Task.yield()
                        try await Task.sleep(for: .milliseconds(1))
                        inside.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.withLock { $0.most } == 3)
        #expect(slots.availablePermits == 3)
        #expect(slots.waitingCount == 0)
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let slots = AsyncSemaphore(permits: 1)
        try await slots.acquire()
        let order = BrowserLockedBox<[Int]>([])
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<5 {
            tasks.append(Task {
                try await slots.acquire()
                order.withLock { $0.append(index) }
                slots.release()
            })
            try await eventually("waiter \(index) queued", timeout: .seconds(30), pollEvery: .milliseconds(1)) {
                slots.waitingCount == index + 1
            }
        }
        slots.release()
        for task in tasks { try await task.value }
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4])
        #expect(slots.availablePermits == 1)
    }

    @Test func aCancelledWaiterLeavesTheLineWithoutTakingAPermit() async throws {
        let slots = AsyncSemaphore(permits: 1)
        try await slots.acquire()
        let waiter = Task { try await slots.acquire() }
        try await eventually("the waiter queued", timeout: .seconds(30), pollEvery: .milliseconds(1)) { slots.waitingCount == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(slots.waitingCount == 0)
        slots.release()
        #expect(slots.availablePermits == 1)
    }

    @Test func theDeadlineCancelsTheWorkAndThrowsItsError() async throws {
        let slots = AsyncSemaphore(permits: 1)
        try await slots.acquire()
        let error = await #expect(throws: BrowserError.self) {
            try await withDeadline(.milliseconds(50), otherwise: { BrowserError(.timeout, "late", retryable: true) }) {
                try await slots.acquire()
            }
        }
        #expect(error?.code == .timeout)
        #expect(slots.waitingCount == 0)
        let value = try await withDeadline(.seconds(60), otherwise: { BrowserError(.timeout, "late", retryable: true) }) { 42 }
        #expect(value == 42)
    }
}
