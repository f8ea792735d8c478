import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The pages the browser tests open, served by Hummingbird on 127.0.0.1 and a free port.
enum BrowserTestSite {
    static let page = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Agentry price list</title></head>
        <body>
          <h1 id="headline">Price list</h1>
          <p class="price">Widget: 42.00 EUR</p>
          <p class="price">Gadget: 7.50 EUR</p>
          <script>document.getElementById("headline").insertAdjacentText("beforeend", " (live)");</script>
        </body></html>
        """

    /// Runs `body` with the site's base URL (`http://127.0.0.1:<port>`), then stops the server.
    static func withSite<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let router = Router()
        addRoutes(to: router)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "browser-test-site")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            guard let port = await ports.first(where: { _ in true }), port > 0 else {
                throw BrowserTestFailure("the test site did not report its port")
            }
            return try await body("http://127.0.0.1:\(port)")
        }
    }

    private static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/page") { _, _ in html(page) }
        router.get("/redirect") { _, _ in
            var headers = HTTPFields()
            headers[.location] = "/page"
            return Response(status: .found, headers: headers)
        }
        router.get("/redirect-to-localhost") { request, _ in
            var headers = HTTPFields()
            let port = request.head.authority?.split(separator: ":").last.map(String.init) ?? "80"
            headers[.location] = "http://localhost:\(port)/page"
            return Response(status: .found, headers: headers)
        }
        router.get("/missing") { _, _ in html("<title>Not here</title><p>No such page.</p>", status: .notFound) }
        router.get("/unavailable") { _, _ in Response(status: .serviceUnavailable) }
        router.get("/dialog") { _, _ in
            html("<title>Dialog</title><script>alert('hello'); confirm('sure?');</script><p>after the dialogs</p>")
        }
        router.get("/long") { _, _ in
            html("<title>Long</title><p>" + String(repeating: "abcdefghij", count: 500) + "</p>")
        }
        router.get("/never") { _, _ in
            // Sends the head of a document and never the rest: the page never finishes loading.
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "<html><head><title>Endless</title></head><body><p>partial"))
                // A space every 100 ms until the browser hangs up (the write then fails) or the
                // server stops (the sleep is cancelled).
                for _ in 0..<1200 {
                    try await Task.sleep(for: .milliseconds(100))
                    try await writer.write(ByteBuffer(string: " "))
                }
                try await writer.finish(nil)
            })
        }
    }
}
