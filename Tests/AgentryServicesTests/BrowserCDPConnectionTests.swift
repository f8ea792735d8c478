@testable import AgentryBrowserWorker
import AgentryRuntime
import AgentryContracts
import AgentryTestSupport
import Foundation
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``CDPConnection`` over real pipes, with a stand-in for Chromium on the other ends.
@Suite struct BrowserCDPConnectionTests {
    @Test func concurrentCommandsGetTheirOwnRepliesWhateverTheOrderAndSplits() async throws {
        let count = 24
        let held = BrowserLockedBox<[JSONValue]>([])
        let peer = try BrowserDevToolsPeer { command in
            // Hold every command until all have arrived, then answer them newest first.
            let batch = held.withLock { held -> [JSONValue] in
                held.append(command)
                guard held.count == count else { return [] }
                defer { held.removeAll() }
                return held.reversed()
            }
            return batch.map { command in
                let n = command["params"]?["n"]?.intValue ?? -1
                return ["id": command["id"] ?? .null, "result": ["double": .number(Double(n * 2))]]
            }
        }
        defer { peer.stop() }
        let results = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for n in 0..<count {
                group.addTask { (n, try await peer.connection.send("Test.double", ["n": .number(Double(n))])) }
            }
            var results: [Int: JSONValue] = [:]
            for try await (n, result) in group { results[n] = result }
            return results
        }
        for n in 0..<count {
            #expect(results[n] == ["double": .number(Double(n * 2))], "command \(n)")
        }
    }

    @Test func anErrorReplyNamesTheCommand() async throws {
        let peer = try BrowserDevToolsPeer { command in
            [["id": command["id"] ?? .null, "error": ["code": -32000, "message": "Cannot navigate to invalid URL"]]]
        }
        defer { peer.stop() }
        let error = await #expect(throws: BrowserError.self) {
            try await peer.connection.send("Page.navigate", ["url": "::"], sessionId: "S")
        }
        #expect(error?.code == .commandFailed)
        #expect(error?.message.contains("Page.navigate") == true)
        #expect(error?.message.contains("Cannot navigate to invalid URL") == true)
        #expect(peer.received.first?["sessionId"] == "S")
    }

    @Test func sessionEventsReachTheirPage() async throws {
        let peer = try BrowserDevToolsPeer { _ in [] }
        defer { peer.stop() }
        let page = PageEventSink()
        try peer.connection.route(sessionId: "S1", to: page)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await page.wait(for: "load", loaderId: "L1") }
            try await eventually("the page waits", timeout: .seconds(30), pollEvery: .milliseconds(1)) { page.waitingCount == 1 }
            peer.send(["method": "Page.lifecycleEvent", "params": ["loaderId": "L1", "name": "load"], "sessionId": "S2"])
            peer.send(["method": "Page.lifecycleEvent", "params": ["loaderId": "L1", "name": "load"], "sessionId": "S1"])
            try await group.waitForAll()
        }
    }

    @Test func dialogsOnAPageAreDismissed() async throws {
        let peer = try BrowserDevToolsPeer { _ in [] }
        defer { peer.stop() }
        try peer.connection.route(sessionId: "S1", to: PageEventSink())
        peer.send(["method": "Page.javascriptDialogOpening", "params": ["type": "alert", "message": "hi"], "sessionId": "S1"])
        try await eventually("the dialog is answered", timeout: .seconds(30)) {
            peer.received.contains { $0["method"] == "Page.handleJavaScriptDialog" }
        }
        let answer = try #require(peer.received.first { $0["method"] == "Page.handleJavaScriptDialog" })
        #expect(answer["params"] == ["accept": false])
        #expect(answer["sessionId"] == "S1")
    }

    @Test func aClosedPipeFailsWaitingAndLaterCommands() async throws {
        let peer = try BrowserDevToolsPeer { _ in [] }
        defer { peer.stop() }
        let page = PageEventSink()
        try peer.connection.route(sessionId: "S1", to: page)
        let pending = Task { try await peer.connection.send("Page.navigate", ["url": "https://example.com"], sessionId: "S1") }
        try await eventually("the command reaches the peer", timeout: .seconds(30)) { peer.received.count == 1 }
        peer.hangUp()
        let error = await #expect(throws: BrowserError.self) { try await pending.value }
        #expect(error?.code == .browserExited)
        #expect(peer.connection.isOpen == false)
        await #expect(throws: BrowserError.self) { try await peer.connection.send("Browser.getVersion") }
        #expect(throws: BrowserError.self) { try peer.connection.route(sessionId: "S2", to: PageEventSink()) }
        await #expect(throws: BrowserError.self) { try await page.wait(for: "load", loaderId: "L") }
    }

    @Test func aCommandPastItsDeadlineIsDroppedAndTheConnectionGoesOn() async throws {
        let answer = BrowserLockedBox(false)
        let peer = try BrowserDevToolsPeer { command in
            guard answer.withLock({ $0 }) else { return [] }
            return [["id": command["id"] ?? .null, "result": ["ok": true]]]
        }
        defer { peer.stop() }
        let error = await #expect(throws: BrowserError.self) {
            try await withDeadline(.seconds(1), otherwise: { BrowserError(.timeout, "too slow", retryable: true) }) {
                try await peer.connection.send("Slow.command")
            }
        }
        #expect(error?.code == .timeout)
        // The late reply to the abandoned command is ignored; the next command works.
        try await eventually("the abandoned command reached the peer", timeout: .seconds(30)) { !peer.received.isEmpty }
        let abandoned = try #require(peer.received.first?["id"])
        peer.send(["id": abandoned, "result": ["late": true]])
        answer.withLock { $0 = true }
        #expect(try await peer.connection.send("Fast.command") == ["ok": true])
        #expect(peer.connection.isOpen)
    }

    @Test func closingTheConnectionClosesTheCommandPipe() async throws {
        let peer = try BrowserDevToolsPeer { _ in [] }
        defer { peer.stop() }
        peer.connection.post("Target.closeTarget", ["targetId": "T"])
        peer.connection.close(BrowserError(.shutDown, "stopping", retryable: true))
        try await eventually("the peer reads end-of-file", timeout: .seconds(30)) { peer.commandsEnded }
        #expect(peer.received.first?["method"] == "Target.closeTarget", "what was queued is written before the pipe closes")
    }
}
