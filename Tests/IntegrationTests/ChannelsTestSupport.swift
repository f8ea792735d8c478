import AgentryChannels
import AgentryContracts
import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Throw-away databases and endpoints for the outbound channel, comm worker and notifier tests.
enum ChannelsFixture {
    static let logger: Logger = {
        var logger = Logger(label: "channels-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with a client on a new, migrated database (`agentry_t_channels_<random>`) that is
    /// dropped afterwards.
    static func withDatabase<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await TestDatabase.withFresh(prefix: "agentry_t_channels", poolSize: 8, logger: logger) { client, _ in
            try await body(client)
        }
    }

    /// One `deliveries` row.
    struct DeliveryRow: Sendable {
        var id: UUID
        var key: String
        var runId: UUID?
        var stepId: String?
        var kind: String
        var channel: String
        var target: String
        var status: String
        var attempts: Int
        var response: String?
        var payload: JSONValue
        var delivered: Bool
    }

    /// Every `deliveries` row, oldest first.
    static func deliveries(_ store: PostgresClient) async throws -> [DeliveryRow] {
        try await store.query("""
            SELECT id, idempotency_key, run_id, step_id, kind, channel, target, status, attempts, response,
                   payload::text AS payload, delivered_at IS NOT NULL AS delivered
            FROM deliveries ORDER BY created_at, id
            """).map { row in
            DeliveryRow(
                id: try row.decode(UUID.self, column: "id"),
                key: try row.decode(String.self, column: "idempotency_key"),
                runId: try row.decode(UUID?.self, column: "run_id"),
                stepId: try row.decode(String?.self, column: "step_id"),
                kind: try row.decode(String.self, column: "kind"),
                channel: try row.decode(String.self, column: "channel"),
                target: try row.decode(String.self, column: "target"),
                status: try row.decode(String.self, column: "status"),
                attempts: try row.decode(Int.self, column: "attempts"),
                response: try row.decode(String?.self, column: "response"),
                payload: try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(String.self, column: "payload").utf8)),
                delivered: try row.decode(Bool.self, column: "delivered"))
        }
    }

    /// Inserts a run as the director would have committed it.
    static func insertRun(
        _ store: PostgresClient, id: UUID = UUID(), source: RunSource, reference: SourceReference?,
        request: String = "summarise the open incidents and post them to #ops", status: String = "completed"
    ) async throws -> UUID {
        try await store.execute("""
            INSERT INTO runs (id, tenant, source, external_event_id, request, status, source_reference)
            VALUES (\(id), 'acme', \(source.rawValue), \(id.uuidString), \(request), \(status),
                    \(reference.map { PostgresJSON($0) }))
            """)
        return id
    }

    /// Channels pointing at `server` (Slack and Jira) and, if given, an SMTP sink.
    static func configuration(server port: Int?, smtpPort: Int? = nil) -> ChannelsConfiguration {
        ChannelsConfiguration(
            slack: port.map { .init(apiURL: "http://127.0.0.1:\($0)/api", botToken: "xoxb-test-token") },
            smtp: smtpPort.map { .init(url: "smtp://127.0.0.1:\($0)", startTLS: .disabled) },
            jira: port.map {
                .init(baseURL: "http://127.0.0.1:\($0)", credentials: .basic(user: "bot@example.com", apiToken: "jira-token"))
            },
            sender: MailAddress("agentry@example.com", name: "Agentry"),
            timeout: .seconds(10))
    }
}

/// A local stand-in for Slack's Web API and Jira's REST API that records every request and answers
/// as they do, or as a test scripts it.
final class FakeChannelServer: Sendable {
    /// One received request.
    struct Recorded: Sendable {
        var method: String
        var path: String
        /// Header fields by lowercased name.
        var headers: [String: String]
        var body: Data
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
    }

    /// A scripted answer.
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String

        static func slackError(_ error: String, headers: [String: String] = [:]) -> Answer {
            Answer(status: 200, headers: headers, body: #"{"ok":false,"error":"\#(error)"}"#)
        }
    }

    private let state = Mutex<(requests: [Recorded], slackAnswers: [Answer], jiraAnswers: [Answer], delay: Duration)>(
        ([], [], [], .zero))

    /// Every request so far.
    var requests: [Recorded] { state.withLock { $0.requests } }
    var slackRequests: [Recorded] { requests.filter { $0.path == "/api/chat.postMessage" } }
    var jiraRequests: [Recorded] { requests.filter { $0.path.hasPrefix("/rest/api/2/issue/") } }

    /// Answers the next Slack requests with `answers`, in order, then normally again.
    func scriptSlack(_ answers: Answer...) { state.withLock { $0.slackAnswers += answers } }
    /// Answers the next Jira requests with `answers`, in order, then normally again.
    func scriptJira(_ answers: Answer...) { state.withLock { $0.jiraAnswers += answers } }
    /// Makes every answer wait `delay` first (to overlap concurrent deliveries).
    func delayAnswers(by delay: Duration) { state.withLock { $0.delay = delay } }

    /// Runs `body` with a running server and its port, then stops the server.
    static func withServer<T: Sendable>(_ body: (FakeChannelServer, Int) async throws -> T) async throws -> T {
        let server = FakeChannelServer()
        let router = Router()
        router.post("/api/chat.postMessage") { request, _ in try await server.slack(request) }
        router.post("/rest/api/2/issue/:issue/comment") { request, _ in try await server.jira(request) }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "agentry.fake-channel-server")
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
                throw ChannelsTestFailure("the fake channel server did not report its port")
            }
            return try await body(server, port)
        }
    }

    private func record(_ request: Request) async throws -> (Recorded, Answer?, Duration) {
        let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let recorded = Recorded(
            method: request.method.rawValue, path: request.uri.path, headers: headers, body: Data(body.readableBytesView))
        let isSlack = recorded.path == "/api/chat.postMessage"
        let (answer, delay) = state.withLock { state -> (Answer?, Duration) in
            state.requests.append(recorded)
            if isSlack, !state.slackAnswers.isEmpty { return (state.slackAnswers.removeFirst(), state.delay) }
            if !isSlack, !state.jiraAnswers.isEmpty { return (state.jiraAnswers.removeFirst(), state.delay) }
            return (nil, state.delay)
        }
        return (recorded, answer, delay)
    }

    private func slack(_ request: Request) async throws -> Response {
        let (recorded, answer, delay) = try await record(request)
        if delay > .zero { try await Task.sleep(for: delay) }
        if let answer { return Self.response(answer) }
        guard recorded.headers["authorization"] == "Bearer xoxb-test-token" else {
            return Self.response(.slackError("invalid_auth"))
        }
        let channel = recorded.json?["channel"]?.stringValue ?? ""
        let count = slackRequests.count
        let ts = "1718000000.\(String(format: "%06d", count))"
        return Self.response(Answer(status: 200, body: #"{"ok":true,"channel":"\#(channel)","ts":"\#(ts)"}"#))
    }

    private func jira(_ request: Request) async throws -> Response {
        let (_, answer, delay) = try await record(request)
        if delay > .zero { try await Task.sleep(for: delay) }
        if let answer { return Self.response(answer) }
        return Self.response(Answer(status: 201, body: #"{"id":"\#(10_000 + jiraRequests.count)"}"#))
    }

    private static func response(_ answer: Answer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
        return Response(
            status: .init(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
}

/// A precondition of a channels test that did not hold.
struct ChannelsTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
