import AgentryContracts
import AgentryHTTP
import Foundation

/// The ingest API as the CLI uses it (`docs/cli.md`): submit runs, list and read them, decide
/// approvals, post Slack events. Answers are read leniently (unknown fields ignored), so the CLI
/// keeps working while the API grows.
struct AgentryAPIClient: Sendable {
    /// The API's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    let baseURL: String
    /// Sent as `Authorization: Bearer <key>` when set (`AGENTRY_API_KEY`).
    private let apiKey: String?
    private let http: HTTPClient

    init(
        baseURL: String, apiKey: String? = ProcessInfo.processInfo.environment["AGENTRY_API_KEY"], http: HTTPClient = .shared
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.http = http
    }

    /// `POST /v1/runs`; returns the run id.
    func submit(_ submission: RunSubmissionBody) async throws -> String {
        let answer = try await send(.post, "/v1/runs", json: try JSONValue(encoding: submission))
        guard let runId = answer["runId"]?.stringValue ?? answer["id"]?.stringValue else {
            throw CLIError("the API accepted the run but did not say its id")
        }
        return runId
    }

    /// `GET /v1/runs`, newest first.
    func runs(status: String?, tenant: String?, limit: Int?) async throws -> [RunListing] {
        var query: [URLQueryItem] = []
        if let status { query.append(URLQueryItem(name: "status", value: status)) }
        if let tenant { query.append(URLQueryItem(name: "tenant", value: tenant)) }
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        let answer = try await send(.get, "/v1/runs", query: query)
        let items = answer["runs"]?.arrayValue ?? answer.arrayValue ?? []
        return items.compactMap(RunListing.init(json:))
    }

    /// `GET /v1/runs/{id}`; nil when the API does not know the run (yet).
    func run(_ id: String) async throws -> RunTimeline? {
        do {
            return try RunTimeline(json: try await send(.get, "/v1/runs/\(Self.pathSegment(id))"))
        } catch let failure as APIFailure where failure.status == 404 {
            return nil
        }
    }

    /// `POST /v1/approvals/{id}` with `approved` or `rejected`; returns the run id when the API says it.
    @discardableResult
    func decide(
        approval id: String, decision: String, decidedBy: String, comment: String?, editedPlan: JSONValue? = nil
    ) async throws -> String? {
        var body: [String: JSONValue] = ["decision": .string(decision), "decidedBy": .string(decidedBy)]
        if let comment { body["comment"] = .string(comment) }
        if let editedPlan { body["editedPlan"] = editedPlan }
        let answer = try await send(.post, "/v1/approvals/\(Self.pathSegment(id))", json: .object(body))
        return answer["runId"]?.stringValue
    }

    /// `POST /v1/webhooks/slack` with Slack's signature headers; returns the run id, if the event became one.
    func postSlackEvent(body: Data, timestamp: String, signature: String) async throws -> String? {
        let answer = try await send(.post, "/v1/webhooks/slack", body: body, headers: [
            ("Content-Type", "application/json"), ("X-Slack-Request-Timestamp", timestamp),
            ("X-Slack-Signature", signature),
        ])
        if let ignored = answer["ignored"]?.stringValue {
            throw CLIError("the API ignored the Slack event (\(ignored))")
        }
        return answer["runId"]?.stringValue
    }

    /// `POST /v1/webhooks/email` with a raw RFC 5322 message and the inbound email token; returns
    /// the run id, if the email became one.
    func postEmail(_ message: Data, token: String) async throws -> String? {
        let answer = try await send(.post, "/v1/webhooks/email", body: message, headers: [
            ("Content-Type", "message/rfc822"), ("X-Agentry-Token", token),
        ])
        if let ignored = answer["ignored"]?.stringValue {
            throw CLIError("the API ignored the email (\(ignored))")
        }
        return answer["runId"]?.stringValue
    }

    // MARK: Transport

    private func send(
        _ method: HTTPMethod, _ path: String, query: [URLQueryItem] = [], json: JSONValue
    ) async throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await send(method, path, query: query, body: try encoder.encode(json),
                              headers: [("Content-Type", "application/json")])
    }

    private func send(
        _ method: HTTPMethod, _ path: String, query: [URLQueryItem] = [], body: Data? = nil,
        headers: [(String, String)] = []
    ) async throws -> JSONValue {
        var components = URLComponents(string: baseURL + path)
        if !query.isEmpty { components?.queryItems = query }
        guard let url = components?.string else { throw CLIError("cannot build a URL from \(baseURL)\(path)") }
        var request = HTTPRequest(url: url, method: method, body: body,
                                  timeouts: .init(connect: .seconds(5), total: .seconds(30)))
        request.headers.add(name: "Accept", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError where error.code == .connectFailed || error.code == .connectTimedOut {
            throw CLIError("cannot reach the Agentry API at \(baseURL) (is it running? try `agentry up`)")
        }
        let json = response.body.isEmpty ? JSONValue.null : (try? JSONDecoder().decode(JSONValue.self, from: response.body))
        guard (200..<300).contains(response.status) else {
            throw APIFailure(method: method.rawValue, path: path, status: response.status, body: json,
                             text: response.bodyText)
        }
        guard let json else { throw CLIError("\(method.rawValue) \(path) answered \(response.status) with no JSON") }
        return json
    }

    /// `text` percent-encoded for use as one path segment.
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A non-2xx answer of the API, described with its `{"error": {"code", "message"}}` when present.
struct APIFailure: Error, CustomStringConvertible {
    let method: String
    let path: String
    let status: Int
    let body: JSONValue?
    let text: String

    /// The API's error code, e.g. `not_found`.
    var code: String? { body?["error"]?["code"]?.stringValue }

    var description: String {
        let message = body?["error"]?["message"]?.stringValue
            ?? text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300).description
        let code = self.code.map { " \($0)" } ?? ""
        return "\(method) \(path) failed: HTTP \(status)\(code)\(message.isEmpty ? "" : ": \(message)")"
    }
}

/// The body of `POST /v1/runs`.
struct RunSubmissionBody: Encodable, Sendable, Equatable {
    var request: String
    var tenant: String?
    var source: String?
    var sourceReference: SourceReference?
    var externalEventId: String?
    var requestedBy: String?
}
