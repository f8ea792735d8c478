import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// A stand-in for the Slack Web API on 127.0.0.1: answers `chat.postMessage` like Slack does and
/// records every message, so tests can check what the system posted and that nothing was posted twice.
final class FakeSlack: Sendable {
    struct Message: Sendable {
        var channel: String
        var text: String
        var threadTs: String?
        var authorization: String?
        var idempotencyKey: String?
        var hasBlocks: Bool
    }

    let baseURL: String
    private let recorded: Recorder
    private let task: Task<Void, any Error>

    private init(baseURL: String, recorded: Recorder, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.recorded = recorded
        self.task = task
    }

    var messages: [Message] { recorded.messages.withLock { $0 } }

    static func start() async throws -> FakeSlack {
        let store = Recorder()
        let router = Router()
        router.post("/chat.postMessage") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let count = store.append(Message(
                channel: object["channel"] as? String ?? "", text: object["text"] as? String ?? "",
                threadTs: object["thread_ts"] as? String, authorization: request.headers[.authorization],
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!],
                hasBlocks: object["blocks"] != nil))
            let reply = #"{"ok":true,"channel":"\#(object["channel"] as? String ?? "")","ts":"1700000001.\#(String(format: "%06d", count))"}"#
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: reply)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-slack")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        guard let port = await ports.first(where: { _ in true }), port > 0 else {
            task.cancel()
            throw SystemError("the fake Slack server did not start")
        }
        return FakeSlack(baseURL: "http://127.0.0.1:\(port)", recorded: store, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    private final class Recorder: Sendable {
        let messages = Mutex<[Message]>([])
        func append(_ message: Message) -> Int {
            messages.withLock {
                $0.append(message)
                return $0.count
            }
        }
    }
}
