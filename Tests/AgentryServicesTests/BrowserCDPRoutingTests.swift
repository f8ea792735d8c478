@testable import AgentryBrowserWorker
import AgentryContracts
import AgentryTestSupport
import Testing

@Suite struct BrowserCDPRoutingTests {
    private typealias Table = CDPRoutingTable<String, String>

    private static func reply(_ id: Int, _ result: JSONValue = [:]) -> CDPMessage {
        .reply(id: id, sessionId: nil, outcome: .success(result))
    }

    private static func event(_ method: String, session: String?, _ params: JSONValue = [:]) -> CDPMessage {
        .event(CDPEvent(method: method, params: params, sessionId: session))
    }

    @Test func repliesFindTheirWaitersInAnyOrder() {
        var table = Table()
        let ids = (0..<3).map { _ in table.reserveID() }
        #expect(ids == [1, 2, 3])
        for (id, name) in zip(ids, ["a", "b", "c"]) {
            guard case .attached = table.attach(name, to: id) else {
                Issue.record("waiter \(name) not attached")
                return
            }
        }
        guard case .reply("c", .success(let result)) = table.route(Self.reply(3, ["n": 3])) else {
            Issue.record("reply 3 not routed to c")
            return
        }
        #expect(result == ["n": 3])
        guard case .reply("a", _) = table.route(Self.reply(1)) else {
            Issue.record("reply 1 not routed to a")
            return
        }
        let failure = CDPRemoteError(code: -32000, message: "Cannot navigate")
        guard case .reply("b", .failure(let error)) = table.route(.reply(id: 2, sessionId: nil, outcome: .failure(failure))) else {
            Issue.record("error reply not routed to b")
            return
        }
        #expect(error == failure)
        #expect(table.waitingCount == 0)
        // A second reply with the same id, or one nobody asked for, is nobody's.
        guard case .unclaimed = table.route(Self.reply(2)), case .unclaimed = table.route(Self.reply(99)) else {
            Issue.record("stray replies were claimed")
            return
        }
    }

    @Test func aCancelledWaiterIsReturnedAndItsLateReplyDropped() {
        var table = Table()
        let id = table.reserveID()
        _ = table.attach("waiter", to: id)
        #expect(table.cancel(id) == "waiter")
        #expect(table.cancel(id) == nil)
        guard case .unclaimed = table.route(Self.reply(id)) else {
            Issue.record("a cancelled command's reply was claimed")
            return
        }
    }

    @Test func aCancellationBeforeTheWaiterParksIsRemembered() {
        var table = Table()
        let id = table.reserveID()
        #expect(table.cancel(id) == nil)
        guard case .cancelled = table.attach("late", to: id) else {
            Issue.record("attachment after cancellation must report cancelled")
            return
        }
        #expect(table.waitingCount == 0)
        // Commands sent without waiting never leave anything behind.
        let posted = table.unwaitedID()
        #expect(posted == id + 1)
        #expect(table.cancel(posted) == nil)
        guard case .unclaimed = table.route(Self.reply(posted)) else {
            Issue.record("a posted command's reply was claimed")
            return
        }
    }

    @Test func eventsGoToTheirSessionsSink() {
        var table = Table()
        let added = [table.addSink("page-1", for: "S1"), table.addSink("page-2", for: "S2")]
        #expect(added == [true, true])
        guard case .event("page-2", let event) = table.route(Self.event("Page.lifecycleEvent", session: "S2", ["name": "load"])) else {
            Issue.record("session event not routed")
            return
        }
        #expect(event.params["name"] == "load")
        guard case .event("page-1", _) = table.route(Self.event("Target.detachedFromTarget", session: nil, ["sessionId": "S1"])) else {
            Issue.record("detachment not routed to the detached session")
            return
        }
        guard case .unclaimed = table.route(Self.event("Target.targetCreated", session: nil)),
              case .unclaimed = table.route(Self.event("Page.loadEventFired", session: "S3"))
        else {
            Issue.record("events without a sink were claimed")
            return
        }
        #expect(table.removeSink(for: "S2") == "page-2")
        guard case .unclaimed = table.route(Self.event("Page.lifecycleEvent", session: "S2")) else {
            Issue.record("events of a removed session were routed")
            return
        }
    }

    @Test func closingFailsEveryWaiterAndSinkOnce() {
        var table = Table()
        let first = table.reserveID()
        let second = table.reserveID()
        _ = table.attach("second", to: second)
        _ = table.attach("first", to: first)
        _ = table.addSink("page", for: "S")
        let reserved = table.reserveID()
        let error = BrowserError(.browserExited, "gone", retryable: true)
        let closed = table.close(error)
        #expect(closed.waiters == ["first", "second"])
        #expect(closed.sinks == ["page"])
        #expect(table.closedBy == error)
        guard case .closed(let reason) = table.attach("after", to: reserved) else {
            Issue.record("attachment after close must fail")
            return
        }
        #expect(reason == error)
        #expect(table.addSink("page", for: "S") == false)
        let again = table.close(BrowserError(.shutDown, "again", retryable: true))
        #expect(again.waiters.isEmpty && again.sinks.isEmpty)
        #expect(table.closedBy == error)
    }

    @Test func thePageLogTellsDocumentsApart() {
        var log = PageEventLog()
        let blank = CDPEvent(method: "Page.lifecycleEvent", params: ["loaderId": "BLANK", "name": "load"], sessionId: "S")
        log.record(blank)
        #expect(log.hasReached("load", loaderId: "BLANK"))
        #expect(!log.hasReached("load", loaderId: "DOC"))
        log.record(CDPEvent(method: "Network.responseReceived", params: [
            "loaderId": "DOC", "type": "Image", "response": ["status": 404],
        ], sessionId: "S"))
        #expect(log.status(loaderId: "DOC") == nil)
        log.record(CDPEvent(method: "Network.responseReceived", params: [
            "loaderId": "DOC", "type": "Document", "response": ["status": 503, "url": "http://x/"],
        ], sessionId: "S"))
        #expect(log.status(loaderId: "DOC") == 503)
        log.record(CDPEvent(method: "Page.lifecycleEvent", params: ["loaderId": "DOC", "name": "DOMContentLoaded"], sessionId: "S"))
        #expect(!log.hasReached("load", loaderId: "DOC"))
        log.record(CDPEvent(method: "Page.lifecycleEvent", params: ["loaderId": "DOC", "name": "load"], sessionId: "S"))
        #expect(log.hasReached("load", loaderId: "DOC"))
        #expect(log.ended == nil)
        log.record(CDPEvent(method: "Inspector.targetCrashed", params: [:], sessionId: "S"))
        #expect(log.ended?.code == .pageClosed)
    }

    @Test func aSinkWakesItsWaiterOnTheRightDocumentsLoad() async throws {
        let sink = PageEventSink()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sink.wait(for: "load", loaderId: "DOC") }
            try await eventually("the waiter parks", timeout: .seconds(30), pollEvery: .milliseconds(1)) { sink.waitingCount == 1 }
            // Other documents' milestones do not wake it; this one's does.
            sink.receive(CDPEvent(method: "Page.lifecycleEvent", params: ["loaderId": "BLANK", "name": "load"], sessionId: "S"))
            sink.receive(CDPEvent(method: "Page.lifecycleEvent", params: ["loaderId": "DOC", "name": "init"], sessionId: "S"))
            #expect(sink.waitingCount == 1)
            sink.receive(CDPEvent(method: "Page.lifecycleEvent", params: ["loaderId": "DOC", "name": "load"], sessionId: "S"))
            try await group.waitForAll()
            #expect(sink.waitingCount == 0)
        }
        // Already reached: returns at once.
        try await sink.wait(for: "load", loaderId: "DOC")
    }

    @Test func aSinkFailsItsWaiterWhenThePageEnds() async throws {
        let sink = PageEventSink()
        let waiting = Task { try await sink.wait(for: "load", loaderId: "DOC") }
        try await eventually("the waiter parks", timeout: .seconds(30), pollEvery: .milliseconds(1)) { sink.waitingCount == 1 }
        sink.end(BrowserError(.browserExited, "Chromium exited", retryable: true))
        let error = await #expect(throws: BrowserError.self) { try await waiting.value }
        #expect(error?.code == .browserExited)
        await #expect(throws: BrowserError.self) { try await sink.wait(for: "load", loaderId: "OTHER") }
    }

    @Test func aCancelledSinkWaiterLeaves() async throws {
        let sink = PageEventSink()
        let task = Task { try await sink.wait(for: "load", loaderId: "DOC") }
        try await eventually("the waiter parks", timeout: .seconds(30), pollEvery: .milliseconds(1)) { sink.waitingCount == 1 }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(sink.waitingCount == 0)
    }
}
