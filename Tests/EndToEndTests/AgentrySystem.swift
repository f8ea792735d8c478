import AgentryHTTP
import AgentryStore
import AgentryTestSupport
import Crypto
import Foundation
import Logging

/// The whole system for one test: every service as its own process, on a RabbitMQ virtual host and
/// a PostgreSQL database of its own (so tests never see each other's envelopes or rows), with a
/// fake Slack Web API that records what the system posts.
final class AgentrySystem: Sendable {
    static let services = [
        "ingest", "director", "model-gateway", "code-worker", "data-worker", "comm-worker", "browser-worker",
        "audit-writer", "notifier",
    ]
    static let signingSecret = "e2e-signing-secret"

    let vhost: String
    let databaseName: String
    let databaseURL: String
    let apiURL: String
    let workDirectory: String
    let store: PostgresClient
    let slack: FakeSlack
    let http = HTTPClient()
    let processes: [String: ServiceProcess]

    private init(
        vhost: String, databaseName: String, databaseURL: String, apiURL: String, workDirectory: String,
        store: PostgresClient, slack: FakeSlack, processes: [String: ServiceProcess]
    ) {
        self.vhost = vhost
        self.databaseName = databaseName
        self.databaseURL = databaseURL
        self.apiURL = apiURL
        self.workDirectory = workDirectory
        self.store = store
        self.slack = slack
        self.processes = processes
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static var binaryDirectory: String {
        ProcessInfo.processInfo.environment["AGENTRY_BIN_DIR"] ?? "\(repositoryRoot)/.build/debug"
    }

    /// Starts every service (all of them unless `only` names some) and waits until each is ready;
    /// `environment` adds variables per service name.
    static func start(only: [String]? = nil, environment extra: [String: [String: String]] = [:]) async throws -> AgentrySystem {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let vhost = "e2e-\(suffix)"
        try await TestStack.runStackScript("vhost", "add", vhost)
        let amqpBase = try TestStack.amqpURL()
        guard let slash = amqpBase.range(of: "/", options: .backwards), amqpBase[..<slash.lowerBound].contains("@") else {
            throw SystemError("AGENTRY_TEST_AMQP_URL has no virtual host part")
        }
        let amqpURL = amqpBase[..<slash.lowerBound] + "/" + vhost

        var logger = Logger(label: "e2e")
        logger.logLevel = .warning
        let admin = try PostgresClient(url: TestStack.databaseURL(), poolSize: 1, applicationName: "e2e", logger: logger)
        let databaseName = "agentry_e2e_\(suffix)"
        try await admin.execute("CREATE DATABASE \(identifier: databaseName)")
        await admin.close()
        var configuration = try PostgresConfiguration(url: TestStack.databaseURL())
        configuration.database = databaseName
        configuration.poolSize = 4
        let store = PostgresClient(configuration: configuration, logger: logger)
        try await Migrator(client: store).migrate()
        try await store.withConnection { connection in
            try await connection.executeScript("""
                CREATE TABLE incidents (id serial PRIMARY KEY, title text NOT NULL, severity text NOT NULL,
                                        status text NOT NULL, opened_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO incidents (title, severity, status) VALUES
                    ('Checkout latency above 2 s', 'high', 'open'),
                    ('Nightly export failed', 'medium', 'open'),
                    ('Disk 80% on db-2', 'low', 'resolved');
                """)
        }
        let databaseURL = Self.url(try TestStack.databaseURL(), database: databaseName)

        let slack = try await FakeSlack.start()
        let workDirectory = NSTemporaryDirectory() + "agentry-e2e-\(suffix)"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let apiPort = try LocalSockets.portForALaterServer()
        let common: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": workDirectory,
            "AGENTRY_AMQP_URL": String(amqpURL),
            "AGENTRY_DATABASE_URL": databaseURL,
            "AGENTRY_DB_POOL_SIZE": "4",
            "AGENTRY_LOG_FORMAT": "json",
            "AGENTRY_LOG_LEVEL": "info",
            "AGENTRY_SHUTDOWN_GRACE_SECONDS": "5",
            "AGENTRY_API_PORT": "\(apiPort)",
            "AGENTRY_API_AUTH": "none",
            "AGENTRY_SLACK_SIGNING_SECRET": signingSecret,
            "AGENTRY_SLACK_API_URL": slack.baseURL,
            "AGENTRY_SLACK_BOT_TOKEN": "xoxb-e2e-token",
            "AGENTRY_DATA_SOURCES": "default=\(databaseURL)",
        ]
        var processes: [String: ServiceProcess] = [:]
        var readiness: [String: Int] = [:]
        for name in only ?? services {
            let port = try LocalSockets.portForALaterServer()
            var environment = common
            environment["AGENTRY_HTTP_PORT"] = "\(port)"
            environment.merge(extra[name] ?? [:]) { _, added in added }
            processes[name] = ServiceProcess(
                name: name, executable: "\(binaryDirectory)/agentry-\(name)", environment: environment,
                logFile: "\(workDirectory)/\(name).log")
            readiness[name] = port
        }
        let system = AgentrySystem(
            vhost: vhost, databaseName: databaseName, databaseURL: databaseURL, apiURL: "http://127.0.0.1:\(apiPort)",
            workDirectory: workDirectory, store: store, slack: slack, processes: processes)
        do {
            for process in processes.values { try process.start() }
            for (name, port) in readiness { try await system.waitUntilReady(name, port: port) }
        } catch {
            await system.shutdown()
            throw error
        }
        return system
    }

    /// Waits until the service's `/readyz` answers 200.
    func waitUntilReady(_ name: String, port: Int? = nil) async throws {
        guard let process = processes[name] else { throw SystemError("no service \(name)") }
        let port = port ?? Int(process.environment["AGENTRY_HTTP_PORT"] ?? "") ?? 0
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if let response = try? await http.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz")),
               response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SystemError("\(name) did not become ready:\n\(process.logTail())")
    }

    func restart(_ name: String) async throws {
        guard let process = processes[name] else { throw SystemError("no service \(name)") }
        try process.start()
        try await waitUntilReady(name)
    }

    /// Stops every service, drops the database and the virtual host.
    func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for process in processes.values { group.addTask { await process.stop() } }
        }
        await slack.stop()
        await store.close()
        await http.shutdown()
        if let admin = try? PostgresClient(url: TestStack.databaseURL(), poolSize: 1, applicationName: "e2e") {
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(identifier: databaseName) WITH (FORCE)")
            await admin.close()
        }
        try? await TestStack.runStackScript("vhost", "delete", vhost)
        if ProcessInfo.processInfo.environment["AGENTRY_E2E_KEEP_LOGS"] == nil {
            try? FileManager.default.removeItem(atPath: workDirectory)
        }
    }

    /// Every service's log tail, for a failure message.
    func logs(_ lines: Int = 15) -> String {
        processes.values.sorted { $0.name < $1.name }.map { "== \($0.name)\n\($0.logTail(lines))" }.joined(separator: "\n")
    }

    private static func url(_ base: String, database: String) -> String {
        guard var components = URLComponents(string: base) else { return base }
        components.path = "/\(database)"
        return components.string ?? base
    }

    // MARK: Talking to the system

    /// Posts a Slack Events API callback signed with the shared secret (or `signature`, to test a bad one).
    func postSlackEvent(eventId: String, text: String, channel: String = "C0OPS", ts: String = "1700000000.000100",
                        signature: String? = nil) async throws -> HTTPResponse {
        let body: [String: Any] = [
            "token": "legacy", "team_id": "T0E2E", "api_app_id": "A0E2E", "type": "event_callback",
            "event_id": eventId, "event_time": Int(Date().timeIntervalSince1970),
            "event": [
                "type": "app_mention", "user": "U0ALICE", "text": "<@U0AGENTRY> \(text)", "ts": ts, "channel": channel,
                "event_ts": ts,
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: body)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = HTTPRequest(url: "\(apiURL)/v1/webhooks/slack", method: .post, body: data)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Slack-Request-Timestamp", value: timestamp)
        request.headers.add(name: "X-Slack-Signature", value: signature ?? Self.slackSignature(timestamp: timestamp, body: data))
        return try await http.execute(request)
    }

    static func slackSignature(timestamp: String, body: Data) -> String {
        let key = SymmetricKey(data: Data(signingSecret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("v0:\(timestamp):".utf8) + body, using: key)
        return "v0=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Posts to `POST /v1/runs` and returns the run id.
    func submit(_ text: String, source: String = "api", sourceReference: [String: String]? = nil) async throws -> UUID {
        var body: [String: Any] = ["request": text, "tenant": "default", "source": source]
        if let sourceReference { body["sourceReference"] = sourceReference }
        var request = HTTPRequest(url: "\(apiURL)/v1/runs", method: .post, body: try JSONSerialization.data(withJSONObject: body))
        request.headers.add(name: "Content-Type", value: "application/json")
        let response = try await http.execute(request)
        guard response.status == 202,
              let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let text = object["runId"] as? String, let id = UUID(uuidString: text)
        else {
            throw SystemError("POST /v1/runs answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    /// Presses the notifier's Approve or Reject button as Slack user `user`: a signed interactivity
    /// form whose `payload` is a `block_actions` document.
    func pressSlackButton(_ actionId: String, approval approvalId: UUID, user: String = "U0ALICE") async throws -> HTTPResponse {
        let payload: [String: Any] = [
            "type": "block_actions", "user": ["id": user, "username": "alice", "team_id": "T0E2E"],
            "team": ["id": "T0E2E"], "channel": ["id": "C0OPS"], "trigger_id": "1.2.e2e",
            "actions": [["action_id": actionId, "value": approvalId.uuidString.lowercased(), "type": "button"]],
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = Data(("payload=" + (json.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")).utf8)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = HTTPRequest(url: "\(apiURL)/v1/webhooks/slack/interactivity", method: .post, body: body)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Slack-Request-Timestamp", value: timestamp)
        request.headers.add(name: "X-Slack-Signature", value: Self.slackSignature(timestamp: timestamp, body: body))
        return try await http.execute(request)
    }

    func decide(_ approvalId: UUID, _ decision: String, by approver: String = "alice") async throws {
        let body = try JSONSerialization.data(withJSONObject: ["decision": decision, "decidedBy": approver])
        var request = HTTPRequest(url: "\(apiURL)/v1/approvals/\(approvalId.uuidString.lowercased())", method: .post, body: body)
        request.headers.add(name: "Content-Type", value: "application/json")
        let response = try await http.execute(request)
        guard response.status == 202 else {
            throw SystemError("POST /v1/approvals answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    // MARK: Reading state

    func runStatus(_ id: UUID) async throws -> String? {
        try await store.query("SELECT status FROM runs WHERE id = \(id)").first?.decode(String.self, column: "status")
    }

    func runIds() async throws -> [UUID] {
        try await store.query("SELECT id FROM runs ORDER BY created_at").map { try $0.decode(UUID.self, column: "id") }
    }

    /// Waits until the run reaches one of `statuses` (within `timeout`) and returns the status.
    @discardableResult
    func waitForRun(_ id: UUID, _ statuses: Set<String>, timeout: Duration = .seconds(60)) async throws -> String {
        var last: String?
        try await eventually("run \(id) to reach \(statuses.sorted())", timeout: timeout) {
            last = try await runStatus(id)
            return last.map(statuses.contains) ?? false
        }
        return last ?? ""
    }

    func pendingApproval(of runId: UUID, timeout: Duration = .seconds(60)) async throws -> UUID {
        var found: UUID?
        try await eventually("run \(runId) to ask for an approval", timeout: timeout) {
            let rows = try await store.query("SELECT id FROM approvals WHERE run_id = \(runId) AND status = 'pending'")
            found = try rows.first?.decode(UUID.self, column: "id")
            return found != nil
        }
        return found!
    }

    struct StepRow: Sendable {
        var id: String
        var tool: String
        var status: String
        var attempts: Int
    }

    func steps(of runId: UUID) async throws -> [StepRow] {
        try await store.query("SELECT step_id, tool, status, attempts FROM steps WHERE run_id = \(runId) ORDER BY created_at, step_id")
            .map { row in
                StepRow(id: try row.decode(String.self, column: "step_id"), tool: try row.decode(String.self, column: "tool"),
                        status: try row.decode(String.self, column: "status"), attempts: try row.decode(Int.self, column: "attempts"))
            }
    }

    /// Waits until `condition` holds, failing with every service's log tail.
    func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        do {
            try await AgentryTestSupport.eventually(what, timeout: timeout, pollEvery: .milliseconds(50), condition)
        } catch {
            throw SystemError("\(error)\n\(logs())")
        }
    }
}
