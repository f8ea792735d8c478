import AgentryContracts
import AgentryHTTP
import Foundation

/// Posts messages through a Slack-compatible Web API (`chat.postMessage`).
///
/// ```swift
/// let slack = SlackClient(configuration: .init(apiURL: "https://slack.com/api", botToken: token))
/// let posted = try await slack.post(SlackMessage(channel: "C0123", text: "Hello"), idempotencyKey: key)
/// ```
public struct SlackClient: Sendable {
    private let configuration: ChannelsConfiguration.Slack
    private let http: HTTPClient
    private let timeout: Duration

    /// - Parameters:
    ///   - configuration: The API base and bot token.
    ///   - http: The client to send with; the process-wide one by default.
    ///   - timeout: How long one post may take.
    public init(configuration: ChannelsConfiguration.Slack, http: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.configuration = configuration
        self.http = http
        self.timeout = timeout
    }

    /// Posts `message`.
    ///
    /// - Returns: the channel id and `ts` of the posted message.
    /// - Throws: ``ChannelError`` (see ``SlackAPIResponse`` for which failures are retryable).
    public func post(_ message: SlackMessage, idempotencyKey: String) async throws -> SlackPostResult {
        var request = HTTPRequest(url: configuration.apiURL + "/chat.postMessage", method: .post)
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.botToken)")
        request.headers.add(name: IdempotencyHeader.name, value: IdempotencyHeader.value(idempotencyKey))
        request.body = try JSONCoding.encode(message.requestBody)
        request.timeouts = .init(connect: min(timeout, .seconds(10)), total: timeout)
        request.redirectPolicy = .none
        request.maxResponseBodySize = 1024 * 1024
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            throw error.channelError(.slack)
        }
        return try SlackAPIResponse.interpret(response).get()
    }
}
