import AgentryBus
import AgentryContracts
import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import AgentryIngest

/// The ingest gateway running in-process on a free port against the real broker and a fresh,
/// migrated database, with a queue of its own bound to the facts the gateway publishes.
struct IngestStack {
    static let signingSecret = "ingest-integration-secret"

    /// `http://127.0.0.1:<port>`.
    let base: String
    let bus: AMQPBus
    let store: PostgresClient
    /// What arrived on the stack's own queue (bound to `run.requested` and `approval.decided`).
    let facts: IngestFactLog
    /// A tenant no other test uses, so facts can be told apart on the shared broker.
    let tenant: String

    /// Runs `body` with a stack, and takes it down afterwards (queue deleted, database dropped).
    static func with(
        maxBodyBytes: Int = 4_096, email: EmailSettings? = nil, _ body: (IngestStack) async throws -> Void
    ) async throws {
        try await StoreFixture.withFreshDatabase { client, _ in
            _ = try await Migrator(client: client).migrate()
            let connection = try await BusFixture.connect("ingest-tests")
            let queue = BusFixture.unique("ingest-facts")
            try await connection.declare(AgentryTopology.standard())
            try await connection.declare(AMQPTopology(
                queues: [.init(queue)],
                bindings: ["run.requested", "approval.decided"].map {
                    .init(queue: queue, exchange: AgentryTopology.eventsExchange, routingKey: $0)
                }))
            let bus = AMQPBus(connection: connection)
            let facts = IngestFactLog()
            let consumer = Task {
                for try await delivery in try await bus.subscribe(to: queue, prefetch: 100) {
                    if let envelope = try? delivery.envelope() { await facts.append(envelope) }
                    delivery.ack()
                }
            }
            let configuration = IngestConfiguration(
                apiHost: "127.0.0.1", apiPort: 0, defaultTenant: "default", maxBodyBytes: maxBodyBytes,
                slackSigningSecret: signingSecret, publishTimeout: .seconds(10), email: email)
            let api = IngestAPI(
                configuration: configuration, bus: bus, store: PostgresRunStore(client: client), logger: logger)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let group = ServiceGroup(
                services: [IngestServer(api: api) { continuation.yield($0) }], logger: logger)
            let server = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let stack = IngestStack(
                base: "http://127.0.0.1:\(port)", bus: bus, store: client, facts: facts,
                tenant: "ingest-" + UUID().uuidString.prefix(8).lowercased())
            do {
                try await body(stack)
            } catch {
                await takeDown(group: group, server: server, consumer: consumer, connection: connection, queue: queue)
                throw error
            }
            await takeDown(group: group, server: server, consumer: consumer, connection: connection, queue: queue)
        }
    }

    private static func takeDown(
        group: ServiceGroup, server: Task<Void, any Error>, consumer: Task<Void, any Error>,
        connection: AMQPConnection, queue: String
    ) async {
        await group.triggerGracefulShutdown()
        _ = await server.result
        consumer.cancel()
        try? await connection.delete(queue: queue)
        await connection.close()
    }

    static let logger: Logger = {
        var logger = Logger(label: "ingest-integration-tests")
        logger.logLevel = .warning
        return logger
    }()

    // MARK: Requests

    func post(_ path: String, _ body: String, headers: [String: String] = ["Content-Type": "application/json"])
        async throws -> HTTPResponse
    {
        try await HTTPClient.shared.execute(HTTPRequest(
            url: base + path, method: .post, headers: HTTPHeaders(headers.map { ($0.key, $0.value) }),
            body: Data(body.utf8)))
    }

    func get(_ path: String) async throws -> HTTPResponse {
        try await HTTPClient.shared.execute(HTTPRequest(url: base + path))
    }

    /// A Slack request signed now with the stack's secret, or with `signature` if given.
    func postSlack(_ body: String, signature: String? = nil) async throws -> HTTPResponse {
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let signed = signature
            ?? SlackSignatureVerifier(signingSecret: Self.signingSecret).signature(timestamp: timestamp, body: Array(body.utf8))
        return try await post("/v1/webhooks/slack", body, headers: [
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signed,
        ])
    }

    /// A Slack `app_mention` event with id `eventId`.
    static func slackMention(eventId: String, text: String = "<@U0BOT> query: SELECT 1") -> String {
        """
        {"type":"event_callback","team_id":"T0INGEST","event_id":"\(eventId)","event_time":1718000000,
         "event":{"type":"app_mention","user":"U0PERSON","text":"\(text)","ts":"1718000000.000100","channel":"C0OPS"}}
        """
    }

    /// The error code of a JSON error answer.
    static func errorCode(_ response: HTTPResponse) -> String? {
        try? JSONDecoder().decode(APIErrorBody.self, from: response.body).error.code
    }
}

/// The envelopes that arrived on a stack's queue, in order.
actor IngestFactLog {
    private(set) var envelopes: [Envelope] = []

    func append(_ envelope: Envelope) { envelopes.append(envelope) }

    /// The first envelope matching `predicate`, waiting up to 30 seconds for it.
    nonisolated func first(_ what: String, where predicate: @escaping @Sendable (Envelope) -> Bool) async throws -> Envelope {
        try await eventually(what) { await self.envelopes.contains(where: predicate) }
        return try #require(await envelopes.first(where: predicate))
    }
}
