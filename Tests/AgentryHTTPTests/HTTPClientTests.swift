@testable import AgentryHTTP
import AgentryTestSupport
import Foundation
import Testing

extension LiveHTTPTests {
    @Suite struct HTTPClientTests {
        @Test(arguments: [200, 201, 204, 404, 503])
        func statusAndHeadersRoundTrip(code: Int) async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/status/\(code)")
                    request.headers.add(name: "X-Request-Id", value: "req-\(code)")
                    let response = try await client.execute(request)
                    #expect(response.status == code)
                    #expect(response.version == "HTTP/1.1")
                    #expect(response.headers["x-test-header"] == "test value")
                    #expect(response.headers["X-TEST-HEADER"] == "test value")
                    #expect(response.headers.values(for: "x-multi") == ["one", "two"])
                    #expect(response.headers["X-Echo"] == "req-\(code)")
                    #expect(response.bodyText == (code == 204 ? "" : "status \(code)"))
                }
            }
        }

        @Test(arguments: [HTTPMethod.post, .put, .patch, .delete])
        func requestBodyIsEchoed(method: HTTPMethod) async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let body = Data((0..<300_000).map { UInt8(($0 * 7) % 256) })
                    let request = HTTPRequest(
                        url: "http://127.0.0.1:\(port)/echo",
                        method: method,
                        headers: ["Content-Type": "application/octet-stream"],
                        body: body
                    )
                    let response = try await client.execute(request)
                    #expect(response.status == 200)
                    #expect(response.headers["X-Method"] == method.rawValue)
                    #expect(response.headers["X-Content-Type"] == "application/octet-stream")
                    #expect(response.body == body)
                }
            }
        }

        @Test func postWithoutBodySendsEmptyBody() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let request = HTTPRequest(url: "http://127.0.0.1:\(port)/echo", method: .post)
                    let response = try await client.execute(request)
                    #expect(response.status == 200)
                    #expect(response.headers["X-Method"] == "POST")
                    #expect(response.body.isEmpty)
                }
            }
        }

        @Test func headRequestReturnsHeadersOnly() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let request = HTTPRequest(url: "http://127.0.0.1:\(port)/resource", method: .head)
                    let response = try await client.execute(request)
                    #expect(response.status == 200)  // the route only answers HEAD
                    #expect(response.headers["X-Resource"] == "present")
                    #expect(response.body.isEmpty)
                }
            }
        }

        @Test func tlsToAPlainServerIsTLSFailed() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    let request = HTTPRequest(url: "https://127.0.0.1:\(port)/status/200")
                    let error = await httpError { _ = try await client.execute(request) }
                    #expect(error?.code == .tlsFailed)
                }
            }
        }

        @Test func totalTimeoutIsTypedError() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/slow")
                    request.timeouts.total = .milliseconds(300)
                    let error = await httpError { _ = try await client.execute(request) }
                    #expect(error?.code == .timedOut)
                    #expect(error?.url == "http://127.0.0.1:\(port)/slow")
                    #expect(error?.shortDescription == "timed_out")
                }
            }
        }

        @Test func refusedConnectionIsConnectFailed() async throws {
            let (port, fd) = try LocalSockets.closedPort()
            defer { close(fd) }
            try await withClient { client in
                let error = await httpError { _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
                #expect(error?.code == .connectFailed)
                #expect(error?.detail?.isEmpty == false)
            }
        }

        @Test func unansweredConnectIsConnectTimedOut() async throws {
            let (port, fds) = try LocalSockets.unresponsivePort()
            defer { for fd in fds { close(fd) } }
            try await withClient { client in
                var request = HTTPRequest(url: "http://127.0.0.1:\(port)/")
                request.timeouts.connect = .milliseconds(300)
                let started = ContinuousClock.now
                let error = await httpError { _ = try await client.execute(request) }
                #expect(error?.code == .connectTimedOut)
                #expect(ContinuousClock.now - started < .seconds(10))
            }
        }

        @Test func redirectsAreFollowedWithinTheLimit() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/redirect/3")
                    request.redirectPolicy = .follow(max: 3)
                    let response = try await client.execute(request)
                    #expect(response.status == 200)
                    #expect(response.bodyText == "landed")
                }
            }
        }

        @Test func redirectsBeyondTheLimitFail() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/redirect/3")
                    request.redirectPolicy = .follow(max: 2)
                    let error = await httpError { _ = try await client.execute(request) }
                    #expect(error?.code == .tooManyRedirects)
                }
            }
        }

        @Test func redirectsAreReturnedWhenNotFollowed() async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/redirect/2")
                    request.redirectPolicy = .none
                    let response = try await client.execute(request)
                    #expect(response.status == 302)
                    #expect(response.headers["Location"] == "/redirect/1")
                }
            }
        }

        @Test(arguments: ["bytes", "chunked-bytes"])
        func responseBodyLimitIsEnforced(route: String) async throws {
            try await TestHTTPServer.withServer { _, port in
                try await withClient { client in
                    var request = HTTPRequest(url: "http://127.0.0.1:\(port)/\(route)/200000")
                    request.maxResponseBodySize = 200_000
                    let exact = try await client.execute(request)
                    #expect(exact.body == Data(TestHTTPServer.pattern(200_000)))

                    request.maxResponseBodySize = 199_999
                    let error = await httpError { _ = try await client.execute(request) }
                    #expect(error?.code == .bodyTooLarge)
                }
            }
        }

        @Test func cancellingTheTaskCancelsTheTransfer() async throws {
            try await TestHTTPServer.withServer { server, port in
                try await withClient { client in
                    let task = Task {
                        try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hang"))
                    }
                    await server.hangArrived.wait()
                    #expect(client.driver.activeTransferCount == 1)
                    task.cancel()
                    let error = await httpError { _ = try await task.value }
                    #expect(error?.code == .cancelled)
                    try await eventually("transfer detached") { client.driver.activeTransferCount == 0 }
                }
            }
        }

        @Test func shutdownFailsInFlightAndLaterRequests() async throws {
            try await TestHTTPServer.withServer { server, port in
                let client = HTTPClient()
                let task = Task {
                    try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hang"))
                }
                await server.hangArrived.wait()
                await client.shutdown()
                let inFlight = await httpError { _ = try await task.value }
                #expect(inFlight?.code == .cancelled)
                let later = await httpError { _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/status/200")) }
                #expect(later?.code == .shutDown)
            }
        }

        @Test func invalidRequestsAreRejectedBeforeSending() async throws {
            try await withClient { client in
                let scheme = await httpError { _ = try await client.execute(HTTPRequest(url: "ftp://127.0.0.1/file")) }
                #expect(scheme?.code == .invalidURL)
                let relative = await httpError { _ = try await client.execute(HTTPRequest(url: "/status/200")) }
                #expect(relative?.code == .invalidURL)
                var injected = HTTPRequest(url: "http://127.0.0.1:1/")
                injected.headers.add(name: "X-Evil", value: "a\r\nHost: elsewhere")
                let header = await httpError { _ = try await client.execute(injected) }
                #expect(header?.code == .invalidRequest)
            }
        }

        @Test func errorsNeverCarryCredentialsOrQueries() async throws {
            let (port, fd) = try LocalSockets.closedPort()
            defer { close(fd) }
            try await withClient { client in
                let request = HTTPRequest(url: "http://user:secret@127.0.0.1:\(port)/v1/models?key=sk-123")
                let error = await httpError { _ = try await client.execute(request) }
                #expect(error?.code == .connectFailed)
                #expect(error?.url == "http://127.0.0.1:\(port)/v1/models")
                #expect(error.map { !"\($0)".contains("secret") && !"\($0)".contains("sk-123") } == true)
            }
        }
    }
}
