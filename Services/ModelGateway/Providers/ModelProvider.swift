import AgentryContracts
import AgentryHTTP
import Foundation

/// One call of one routing entry: what a provider adapter sends.
struct ProviderCall: Sendable, Equatable {
    /// The provider's model name.
    var model: String
    /// The conversation, system messages included.
    var messages: [ChatMessage]
    /// Functions the model may call.
    var tools: [ToolDefinition] = []
    /// Whether and which tool the model must call.
    var toolChoice: ToolChoice?
    /// The reply's required shape.
    var responseFormat: ResponseFormat = .text
    /// Whether the provider is sent the JSON schema (`response_format` json_schema); when false a
    /// JSON format is asked for in a system instruction and the gateway validates the reply.
    var nativeStructuredOutput: Bool = true
    /// Most completion tokens.
    var maxTokens: Int
    /// Sampling temperature, when the caller set one.
    var temperature: Double?
    /// Whether to ask for a server-sent event stream and assemble the reply from it.
    var stream: Bool = false
    /// How long the whole call may take (connect, wait and body).
    var timeout: Duration
}

/// What a provider answered.
struct ProviderResult: Sendable, Equatable {
    /// The text (empty when the model only called tools).
    var content: String
    /// Tool calls the model made.
    var toolCalls: [ToolCall] = []
    /// Why generation stopped, in the provider's words (`stop`, `length`, `tool_calls`, `end_turn`, ...).
    var finishReason: String?
    /// Prompt tokens from the provider's usage fields; `nil` when it sent none.
    var promptTokens: Int?
    /// Completion tokens from the provider's usage fields; `nil` when it sent none.
    var completionTokens: Int?
}

/// Why a provider call failed. Messages never contain the provider's key.
struct ProviderFailure: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// The connection could not be made or broke (refused, reset, DNS, TLS).
        case connection
        /// The call did not finish within its timeout.
        case timeout
        /// An HTTP status other than 2xx and 429.
        case status(Int)
        /// HTTP 429: the provider is rate limiting us.
        case rateLimited
        /// A 2xx answer that is not the provider's wire format, or a stream that ended early.
        case malformed
    }

    var kind: Kind
    /// From a 429's (or 503's) `Retry-After` header, when given.
    var retryAfter: Duration?
    /// Detail for logs and the reply: status, provider error message (redacted), parse error.
    var message: String

    init(_ kind: Kind, retryAfter: Duration? = nil, message: String) {
        self.kind = kind
        self.retryAfter = retryAfter
        self.message = message
    }

    /// Whether the failure says something about the request rather than the entry's health (400,
    /// 404, 413, 422): it does not count against the entry's circuit breaker.
    var isRequestSpecific: Bool {
        if case .status(let status) = kind { return [400, 404, 413, 422].contains(status) }
        return false
    }

    /// A short label for metrics and attempts: `connection`, `timeout`, `http_503`, `rate_limited`, `malformed`.
    var label: String {
        switch kind {
        case .connection: "connection"
        case .timeout: "timeout"
        case .status(let status): "http_\(status)"
        case .rateLimited: "rate_limited"
        case .malformed: "malformed"
        }
    }

    var description: String { "\(label): \(message)" }
}

/// A chat model provider's wire protocol.
protocol ModelProvider: Sendable {
    /// Performs one call. Throws ``ProviderFailure`` (and `CancellationError` when cancelled).
    func complete(_ call: ProviderCall) async throws -> ProviderResult
}

/// A provider spoken over JSON-over-HTTP with an optional server-sent-event stream: it gives the
/// endpoint, its headers and the wire format; sending, streaming and error mapping are shared.
protocol HTTPModelProvider: ModelProvider {
    /// Assembles a streamed reply from its events.
    associatedtype StreamAccumulator: ProviderStreamAccumulator
    /// The full URL calls are posted to.
    var endpoint: String { get }
    /// The key, sent only in ``authenticationHeaders``.
    var apiKey: ProviderAPIKey? { get }
    /// Headers added to every request after the provider's own.
    var extraHeaders: [String: String] { get }
    /// The HTTP client the calls go through.
    var client: HTTPClient { get }
    /// The provider's authentication (and version) headers.
    var authenticationHeaders: [(String, String)] { get }
    /// The JSON body for `call`.
    static func requestBody(for call: ProviderCall) throws -> Data
    /// The result in a buffered (non-streamed) answer.
    static func parseResponse(_ data: Data) throws -> ProviderResult
}

extension HTTPModelProvider {
    func complete(_ call: ProviderCall) async throws -> ProviderResult {
        let request = try makeRequest(for: call)
        if call.stream {
            return try await ProviderHTTP.stream(
                request, client: client, apiKey: apiKey?.value, into: StreamAccumulator(),
                parseBuffered: Self.parseResponse)
        }
        return try await ProviderHTTP.send(request, client: client, apiKey: apiKey?.value, parse: Self.parseResponse)
    }

    /// The HTTP request for `call`: URL, headers, JSON body and the call's timeout.
    func makeRequest(for call: ProviderCall) throws -> HTTPRequest {
        ProviderHTTP.jsonRequest(
            url: endpoint, headers: authenticationHeaders + ProviderHTTP.sorted(extraHeaders),
            body: try Self.requestBody(for: call), timeout: call.timeout, stream: call.stream)
    }
}
