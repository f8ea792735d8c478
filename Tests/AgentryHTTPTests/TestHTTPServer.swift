import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// An in-process Hummingbird server on 127.0.0.1 and a free port, with routes the client tests
/// need and signals to coordinate with them.
final class TestHTTPServer: Sendable {
    /// Lets `/stream` write its remaining chunks.
    let releaseStream = TestSignal()
    /// Fired by `/stream` after its last chunk.
    let streamFinished = TestSignal()
    /// Fired when a request reaches `/hang`.
    let hangArrived = TestSignal()
    /// Lets every request waiting in `/gate` respond.
    let releaseGate = TestSignal()
    private let gateArrivals = Mutex(0)
    /// The payload of `/sse`, written in pieces that split lines and events.
    static let ssePieces = [
        ": stream opened\r\n\r\n",
        "event: delta\r\ndata: Hel",
        "lo\r\nid: 1\r\n\r\ndata: first line\ndata: second line\n",
        "\n",
        "retry: 2500\rdata: {\"done\":true}\r",
        "\r",
        "data: unterminated",
    ]

    /// How many requests have reached `/gate` so far.
    var requestsAtGate: Int { gateArrivals.withLock { $0 } }

    /// Runs `body` with a running server and its port, then stops the server.
    static func withServer<T: Sendable>(_ body: (TestHTTPServer, Int) async throws -> T) async throws -> T {
        let server = TestHTTPServer()
        let router = Router()
        server.addRoutes(to: router)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "agentry.test-http-server")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            guard let port = await ports.first(where: { _ in true }), port > 0 else {
                throw ConditionFailed("the test server did not report its port")
            }
            return try await body(server, port)
        }
    }

    private func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/status/:code") { request, context in
            let code = try context.parameters.require("code", as: Int.self)
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Test-Header")!] = "test value"
            headers.append(HTTPField(name: HTTPField.Name("X-Multi")!, value: "one"))
            headers.append(HTTPField(name: HTTPField.Name("X-Multi")!, value: "two"))
            headers[HTTPField.Name("X-Echo")!] = request.headers[HTTPField.Name("X-Request-Id")!] ?? "none"
            let text = ByteBuffer(string: "status \(code)")
            let body = code == 204 || code == 304 ? ResponseBody() : ResponseBody(byteBuffer: text)
            return Response(status: .init(code: code), headers: headers, body: body)
        }
        for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
            router.on("/echo", method: method) { request, _ in
                let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Method")!] = request.method.rawValue
                headers[HTTPField.Name("X-Content-Type")!] = request.headers[.contentType] ?? "none"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
            }
        }
        router.get("/stream") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "first;"))
                await self.releaseStream.wait()
                for chunk in ["second;", "third;"] {
                    try await Task.sleep(for: .milliseconds(20))
                    try await writer.write(ByteBuffer(string: chunk))
                }
                try await writer.finish(nil)
                self.streamFinished.fire()
            })
        }
        router.get("/sse") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for piece in Self.ssePieces {
                    try await writer.write(ByteBuffer(string: piece))
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await writer.finish(nil)
            })
        }
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .seconds(30))
            return "too late"
        }
        router.get("/hang") { _, _ in
            self.hangArrived.fire()
            try await Task.sleep(for: .seconds(60))
            return "too late"
        }
        router.get("/hang-after-head") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "head;"))
                self.hangArrived.fire()
                try await Task.sleep(for: .seconds(60))
                try await writer.finish(nil)
            })
        }
        router.get("/redirect/:count") { _, context in
            let count = try context.parameters.require("count", as: Int.self)
            guard count > 0 else { return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "landed"))) }
            var headers = HTTPFields()
            headers[.location] = "/redirect/\(count - 1)"
            return Response(status: .found, headers: headers)
        }
        router.head("/resource") { _, _ in
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Resource")!] = "present"
            return Response(status: .ok, headers: headers)
        }
        router.get("/bytes/:count") { _, context in
            let count = try context.parameters.require("count", as: Int.self)
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.pattern(count))))
        }
        router.get("/chunked-bytes/:count") { _, context in
            let count = try context.parameters.require("count", as: Int.self)
            return Response(status: .ok, body: ResponseBody { writer in
                let bytes = Self.pattern(count)
                var offset = 0
                while offset < count {
                    let end = min(count, offset + 64 * 1024)
                    try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                }
                try await writer.finish(nil)
            })
        }
        router.get("/gate") { _, _ in
            self.gateArrivals.withLock { $0 += 1 }
            await self.releaseGate.wait()
            return "released"
        }
    }

    /// Deterministic bytes for body checks: byte i is i mod 251.
    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8($0 % 251) }
    }
}

/// A test precondition that did not hold.
struct ConditionFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
