import AgentryBus
import AgentryContracts
import AgentryServiceKit
import AgentryTestSupport
import Foundation
import Logging
import Prometheus
import Synchronization

@testable import AgentryIngest

/// A ``RunStore`` in memory for the API tests; `failure` makes every read throw it.
final class IngestMemoryStore: RunStore, Sendable {
    private struct State {
        var runs: [UUID: RunDetail] = [:]
        var summaries: [RunSummary] = []
        var approvals: [UUID: ApprovalTarget] = [:]
        var approvalSummaries: [ApprovalSummary] = []
        var audit: [UUID: [AuditEntryView]] = [:]
        var keys: [String: APIKeyRecord] = [:]
        var emailThreads: [String: UUID] = [:]
        var slackThreads: [String: UUID] = [:]
        var emailLookups: [[String]] = []
        var failure: (any Error & Sendable)?
        var filters: [RunFilter] = []
    }

    private let state = Mutex(State())

    func add(_ run: RunDetail) {
        state.withLock { $0.runs[UUID(uuidString: run.id)!] = run }
    }

    func add(_ summaries: [RunSummary]) {
        state.withLock { $0.summaries += summaries }
    }

    func add(_ approval: ApprovalTarget) {
        state.withLock { $0.approvals[approval.id] = approval }
    }

    func add(_ summaries: [ApprovalSummary]) {
        state.withLock { $0.approvalSummaries += summaries }
    }

    /// Makes an email with `messageId` (sent by Agentry or starting a run) part of `thread`.
    func add(emailThread thread: UUID, messageId: String) {
        state.withLock { $0.emailThreads[messageId] = thread }
    }

    /// Makes the Slack thread `threadTs` in `channel` belong to `thread`.
    func add(slackThread thread: UUID, channel: String, threadTs: String) {
        state.withLock { $0.slackThreads["\(channel)/\(threadTs)"] = thread }
    }

    func slackThread(tenant: String, channel: String, threadTs: String) async throws -> UUID? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.slackThreads["\(channel)/\(threadTs)"]
        }
    }

    /// The id lists ``emailThread(tenant:messageIds:)`` was asked about.
    var emailLookups: [[String]] { state.withLock { $0.emailLookups } }

    func emailThread(tenant: String, messageIds: [String]) async throws -> UUID? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.emailLookups.append(messageIds)
            for id in messageIds { if let thread = state.emailThreads[id] { return thread } }
            return nil
        }
    }

    func add(audit entries: [AuditEntryView], of runId: UUID) {
        state.withLock { $0.audit[runId, default: []] += entries }
    }

    func approvals(matching filter: ApprovalFilter) async throws -> [ApprovalSummary] {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return Array(state.approvalSummaries.filter { summary in
                (filter.status == nil || summary.status == filter.status) && (filter.tenant == nil || summary.tenant == filter.tenant)
            }.prefix(filter.limit))
        }
    }

    /// Stores a key and returns it (the plaintext, shown once).
    func addKey(role: APIRole, tenant: String? = nil, revoked: Bool = false) -> String {
        let key = APIKeyFormat.generate().key
        state.withLock { $0.keys[APIKeyFormat.hash(key)] = APIKeyRecord(id: UUID(), role: role, tenant: tenant, revoked: revoked) }
        return key
    }

    func apiKey(hash: String) async throws -> APIKeyRecord? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.keys[hash]
        }
    }

    func runStatus(id: UUID) async throws -> String? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.runs[id]?.status
        }
    }

    /// Changes a stored run's status.
    func setStatus(_ status: String, of id: UUID) {
        state.withLock { $0.runs[id]?.status = status }
    }

    func audit(runId: UUID, after: Int, limit: Int) async throws -> [AuditEntryView] {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return Array((state.audit[runId] ?? []).filter { $0.sequence > after }.prefix(limit))
        }
    }

    func fail(with error: (any Error & Sendable)?) {
        state.withLock { $0.failure = error }
    }

    /// The filters `runs(matching:)` was called with.
    var filters: [RunFilter] { state.withLock { $0.filters } }

    func run(id: UUID) async throws -> RunDetail? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.runs[id]
        }
    }

    func runs(matching filter: RunFilter) async throws -> RunPage {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.filters.append(filter)
            return RunPage(runs: Array(state.summaries.prefix(filter.limit)), next: nil)
        }
    }

    func approval(id: UUID) async throws -> ApprovalTarget? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.approvals[id]
        }
    }
}

/// An ingest API over the in-memory bus and store, with its own metrics registry and a fixed clock.
struct IngestHarness {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let now = Date(timeIntervalSince1970: 1_718_000_000)
    /// A queue bound to every fact, to see what the API published.
    static let factsQueue = "test.ingest.facts"

    let bus: InMemoryBus
    let store: IngestMemoryStore
    let registry: PrometheusCollectorRegistry
    let api: IngestAPI

    init(configuration: IngestConfiguration = IngestConfiguration(
        slackSigningSecret: IngestHarness.secret, slackTeamTenants: ["T111": "acme"], publishTimeout: .seconds(30)))
    {
        bus = InMemoryBus()
        bus.declare(AMQPTopology(
            queues: [.init(Self.factsQueue)],
            bindings: [.init(queue: Self.factsQueue, exchange: AgentryTopology.eventsExchange, routingKey: "#")]))
        store = IngestMemoryStore()
        registry = PrometheusCollectorRegistry()
        var logger = Logger(label: "ingest-tests")
        logger.logLevel = .critical
        api = IngestAPI(
            configuration: configuration, bus: bus, store: store, logger: logger,
            metrics: IngestMetrics(factory: PrometheusMetricsFactory(registry: registry)), now: { Self.now })
    }

    /// Envelopes published to the events exchange so far.
    var facts: [Envelope] { bus.readyEnvelopes(Self.factsQueue) }

    /// The value of a counter in the metrics exposition, 0 when it was never incremented.
    func counter(_ name: String, _ label: String, _ value: String) -> Int {
        let text = registry.emitToString()
        let prefix = "\(name){\(label)=\"\(value)\"} "
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Int(line.dropFirst(prefix.count)) ?? -1
        }
        return 0
    }

    /// A JSON request.
    static func json(_ body: String, headers: [String: String] = [:]) -> APIRequest {
        APIRequest(headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: Array(body.utf8))
    }

    /// A Slack request signed with ``secret`` at `timestamp` (``now`` by default).
    static func slack(
        _ body: String, timestamp: Date = now, signature: String? = nil, contentType: String = "application/json"
    ) -> APIRequest {
        let stamp = String(Int(timestamp.timeIntervalSince1970))
        let signed = signature ?? SlackSignatureVerifier(signingSecret: secret).signature(timestamp: stamp, body: Array(body.utf8))
        return APIRequest(
            headers: [
                "Content-Type": contentType, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signed,
            ],
            body: Array(body.utf8))
    }

    /// A signed form post (slash commands, interactivity) of `fields`, percent-encoded as Slack does.
    static func slackForm(_ fields: [(String, String)], timestamp: Date = now, signature: String? = nil) -> APIRequest {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { name, value in
            "\(name)=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
        return slack(body, timestamp: timestamp, signature: signature, contentType: "application/x-www-form-urlencoded")
    }

    /// The `payload` of a `block_actions` press of the notifier's button `actionId` on approval `value`.
    static func blockActions(actionId: String, value: String, user: String = "U04ALICE") -> String {
        """
        {"type":"block_actions","user":{"id":"\(user)","username":"alice","name":"alice","team_id":"T111"},
         "api_app_id":"A1","token":"legacy","container":{"type":"message","message_ts":"1718000001.000200",
         "channel_id":"C0OPS","is_ephemeral":false},"trigger_id":"111.222.abc","team":{"id":"T111","domain":"acme"},
         "channel":{"id":"C0OPS","name":"ops"},"message":{"type":"message","ts":"1718000001.000200","text":"Approval needed"},
         "response_url":"https://hooks.slack.com/actions/T111/1/abc",
         "actions":[{"action_id":"\(actionId)","block_id":"approval","text":{"type":"plain_text","text":"Approve"},
                     "value":"\(value)","style":"primary","type":"button","action_ts":"1718000002.000300"}]}
        """
    }

    /// A Slack `event_callback` body.
    static func slackEvent(
        eventId: String = "Ev0123ABC", team: String = "T111", type: String = "app_mention",
        text: String = "<@U0BOT> summarise the open incidents and post them to #ops", extra: String = ""
    ) -> String {
        """
        {"type":"event_callback","team_id":"\(team)","api_app_id":"A1","event_id":"\(eventId)","event_time":1718000000,
         "authorizations":[{"user_id":"U0BOT","is_bot":true}],
         "event":{"type":"\(type)","user":"U0PERSON","text":"\(text)","ts":"1718000000.000100",
                  "channel":"C0OPS","event_ts":"1718000000.000100"\(extra)}}
        """
    }
}

extension APIResponse {
    /// The body decoded as `T`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = RFC3339.date(from: text) else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: text)) }
            return date
        }
        return try decoder.decode(T.self, from: body)
    }

    /// The error code of an error answer.
    var errorCode: String? { (try? decode(APIErrorBody.self))?.error.code }
}
