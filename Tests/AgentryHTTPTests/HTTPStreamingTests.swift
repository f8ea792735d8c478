@testable import AgentryHTTP
import AgentryTestSupport
import Foundation
import Testing

extension LiveHTTPTests {
    @Suite struct HTTPStreamingTests {
        @Test func bodyChunksArriveBeforeTheServerFinishes() async throws {
            try await TestHTTPServer.withServer { server, port in
                try await withClient { client in
                    try await withDeadline {
                        let response = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/stream"))
                        #expect(response.status == 200)
                        var iterator = response.body.makeAsyncIterator()
                        let first = try #require(try await iterator.next())
                        // The server holds its remaining chunks until this signal: a client that
                        // buffered the whole body would never get here.
                        #expect(String(decoding: first, as: UTF8.self) == "first;")
                        #expect(!server.streamFinished.hasFired)
                        server.releaseStream.fire()
                        var rest = Data()
                        var chunks = 0
                        while let chunk = try await iterator.next() {
                            rest.append(chunk)
                            chunks += 1
                        }
                        #expect(String(decoding: rest, as: UTF8.self) == "second;third;")
                        #expect(chunks >= 2)
                        // The server marks itself finished just after its last write; wait for it (the
                        // surrounding deadline bounds the wait) rather than racing the end of the body.
                        await server.streamFinished.wait()
                    }
                }
            }
        }

        @Test func serverSentEventsAreParsedFromARealStream() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let response = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/sse"))
                    #expect(response.headers["Content-Type"] == "text/event-stream")
                    var events: [ServerSentEvent] = []
                    for try await event in response.body.serverSentEvents() { events.append(event) }
                    #expect(events == [
                        ServerSentEvent(event: "delta", data: "Hello", id: "1"),
                        ServerSentEvent(data: "first line\nsecond line", id: "1"),
                        ServerSentEvent(data: "{\"done\":true}", id: "1", retry: 2500),
                    ])
                }
            }
        }

        @Test func slowConsumerPausesTheTransferAndLosesNothing() async throws {
            let bufferSize = 1024 * 1024
            let total = 8 * 1024 * 1024
            try await TestHTTPServer.withServer { _, port in
                try await withClient(.init(streamingBufferSize: bufferSize)) { client in
                    let response = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/chunked-bytes/\(total)"))
                    try await eventually("transfer paused") { response.body.isTransferPaused }
                    // Paused with at most one chunk beyond the mark, though 8 MiB were on offer.
                    #expect(response.body.bufferedBytes >= bufferSize)
                    #expect(response.body.bufferedBytes <= bufferSize + 64 * 1024)
                    let body = try await response.body.collect(upTo: total)
                    #expect(body.count == total)
                    #expect(body == Data(TestHTTPServer.pattern(total)))
                }
            }
        }

        @Test func droppingTheBodyCancelsTheTransfer() async throws {
            try await TestHTTPServer.withServer { server, port in
                try await withClient { client in
                    do {
                        let response = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/hang-after-head"))
                        #expect(response.status == 200)
                        await server.hangArrived.wait()
                        #expect(client.driver.activeTransferCount == 1)
                    }
                    try await eventually("transfer cancelled") { client.driver.activeTransferCount == 0 }
                }
            }
        }

        @Test func cancellingTheConsumerCancelsTheTransfer() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let url = "http://127.0.0.1:\(port)/hang-after-head"
                    let response = try await client.stream(HTTPRequest(url: url))
                    let body = response.body
                    let firstChunk = TestSignal()
                    let consumer = Task {
                        var received = Data()
                        for try await chunk in body {
                            received.append(chunk)
                            firstChunk.fire()
                        }
                        return received
                    }
                    // The consumer now waits for a chunk the server never sends.
                    await firstChunk.wait()
                    #expect(client.driver.activeTransferCount == 1)
                    consumer.cancel()
                    let error = await httpError { _ = try await consumer.value }
                    #expect(error?.code == .cancelled)
                    try await eventually("transfer cancelled") { client.driver.activeTransferCount == 0 }
                }
            }
        }

        @Test func cancellingWhileWaitingForTheHeadCancelsTheTransfer() async throws {
            try await TestHTTPServer.withServer { server, port in
                try await withClient { client in
                    let task = Task { try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/hang")) }
                    await server.hangArrived.wait()
                    task.cancel()
                    let error = await httpError { _ = try await task.value }
                    #expect(error?.code == .cancelled)
                    try await eventually("transfer cancelled") { client.driver.activeTransferCount == 0 }
                }
            }
        }

        @Test func failureBeforeTheHeadIsThrownByStream() async throws {
            let (port, fd) = try LocalSockets.closedPort()
            defer { close(fd) }
            try await withClient { client in
                let error = await httpError { _ = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
                #expect(error?.code == .connectFailed)
            }
        }

        @Test func failureDuringTheBodyIsThrownByTheSequence() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/hang-after-head")
                    request.timeouts.total = .seconds(3)  // the head arrives well before, even on a loaded machine
                    let response = try await client.stream(request)
                    var received = Data()
                    let error = await httpError {
                        for try await chunk in response.body { received.append(chunk) }
                    }
                    #expect(String(decoding: received, as: UTF8.self) == "head;")
                    #expect(error?.code == .timedOut)
                }
            }
        }

        @Test func streamFollowsRedirectsToTheFinalHead() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let response = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/redirect/2"))
                    #expect(response.status == 200)
                    let body = try await response.body.collect(upTo: 1024)
                    #expect(String(decoding: body, as: UTF8.self) == "landed")
                }
            }
        }
    }
}
