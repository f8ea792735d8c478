import AgentryContracts
import AgentryHTTP
import Foundation

/// Comments on Jira issues through the REST API v2 (`POST /rest/api/2/issue/{key}/comment`).
///
/// ```swift
/// let jira = JiraClient(configuration: .init(baseURL: "https://acme.atlassian.net",
///                                            credentials: .basic(user: "bot@acme.com", apiToken: token)))
/// let comment = try await jira.comment(JiraComment(issue: "OPS-7", body: "Done."), idempotencyKey: key)
/// ```
public struct JiraClient: Sendable {
    private let configuration: ChannelsConfiguration.Jira
    private let http: HTTPClient
    private let timeout: Duration

    public init(configuration: ChannelsConfiguration.Jira, http: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.configuration = configuration
        self.http = http
        self.timeout = timeout
    }

    /// Adds `comment` to its issue on the configured site.
    ///
    /// - Throws: ``ChannelError``: `invalid_message` for a malformed issue key, `not_found` (404),
    ///   `unauthorized` (401, 403), `rejected` (other 4xx), `rate_limited` (429) and `unavailable`
    ///   (5xx, transport); the last two are retryable.
    public func comment(_ comment: JiraComment, idempotencyKey: String) async throws -> JiraCommentResult {
        guard JiraComment.isValidIssue(comment.issue) else {
            throw ChannelError(.invalidMessage, channel: .jira, "\"\(comment.issue)\" is not a Jira issue key")
        }
        var request = HTTPRequest(
            url: configuration.baseURL + "/rest/api/2/issue/\(comment.issue)/comment", method: .post)
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: IdempotencyHeader.name, value: IdempotencyHeader.value(idempotencyKey))
        let body = TextLimit.truncate(comment.body, to: JiraComment.maxBodyLength)
        request.body = try JSONCoding.encode(["body": .string(body)])
        request.timeouts = .init(connect: min(timeout, .seconds(10)), total: timeout)
        request.redirectPolicy = .none
        request.maxResponseBodySize = 1024 * 1024
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            throw error.channelError(.jira)
        }
        return try Self.interpret(response, issue: comment.issue).get()
    }

    private var authorization: String {
        switch configuration.credentials {
        case .basic(let user, let apiToken): "Basic " + Data("\(user):\(apiToken)".utf8).base64EncodedString()
        case .bearer(let token): "Bearer \(token)"
        }
    }

    /// Interprets the answer to a comment request.
    static func interpret(_ response: HTTPResponse, issue: String) -> Result<JiraCommentResult, ChannelError> {
        let body = try? JSONDecoder().decode(JSONValue.self, from: response.body)
        if (200..<300).contains(response.status) {
            guard let id = body?["id"]?.stringValue ?? body?["id"]?.intValue.map(String.init) else {
                return .failure(ChannelError(
                    .badResponse, channel: .jira, "HTTP \(response.status) without a comment id (is the URL right?)"))
            }
            return .success(JiraCommentResult(id: id))
        }
        var detail = "HTTP \(response.status) from Jira for \(issue)"
        let messages = (body?["errorMessages"]?.arrayValue ?? []).compactMap(\.stringValue)
            + (body?["errors"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
                value.stringValue.map { "\(key): \($0)" }
            }
        if !messages.isEmpty { detail += ": " + TextLimit.truncate(messages.joined(separator: "; "), to: 300) }
        let retryAfter = RetryAfter.parse(response.headers["Retry-After"])
        let code: ChannelError.Code = switch response.status {
        case 429: .rateLimited
        case 500...: .unavailable
        case 401, 403: .unauthorized
        case 404: .notFound
        default: .rejected
        }
        return .failure(ChannelError(code, channel: .jira, detail, retryAfter: retryAfter))
    }
}
