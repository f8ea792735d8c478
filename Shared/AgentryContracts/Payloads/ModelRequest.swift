/// `model.request`: a call to the model gateway, sent request/reply (`reply_to`, `correlation_id`).
///
/// The gateway picks a provider and model for `alias` (and `complexity`), fails over, caches,
/// and answers with a ``ModelReply`` envelope whose `correlationId` is this envelope's id.
public struct ModelRequest: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.modelRequest
    public static let version = 1

    /// How hard the task is; the gateway may route easy work to a cheaper model.
    public enum Complexity: String, Codable, Sendable, CaseIterable {
        case low
        case medium
        case high
    }

    /// The model alias to route, e.g. `planner`, `summarizer`.
    public var alias: String
    /// The conversation.
    public var messages: [ChatMessage]
    /// The shape the reply must have; `text` when absent.
    public var responseFormat: ResponseFormat
    /// Most completion tokens to generate.
    public var maxTokens: Int?
    /// Sampling temperature.
    public var temperature: Double?
    /// How hard the task is, for routing.
    public var complexity: Complexity?
    /// Why the call is made (`plan`, `replan`, `summarize`), for usage accounting.
    public var purpose: String?
    /// Whether the gateway may answer from its cache; `true` when absent.
    public var cache: Bool
    /// Functions the model may call; none when absent.
    public var tools: [ToolDefinition]
    /// Whether and which tool the model must call; the provider's default when absent.
    public var toolChoice: ToolChoice?
    /// How long the caller waits for the reply, in seconds; the gateway's default when absent.
    /// Fail-over, rate-limit queueing and retries all happen within it.
    public var timeoutSeconds: Double?

    public init(
        alias: String,
        messages: [ChatMessage],
        responseFormat: ResponseFormat = .text,
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        complexity: Complexity? = nil,
        purpose: String? = nil,
        cache: Bool = true,
        tools: [ToolDefinition] = [],
        toolChoice: ToolChoice? = nil,
        timeoutSeconds: Double? = nil
    ) {
        self.alias = alias
        self.messages = messages
        self.responseFormat = responseFormat
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.complexity = complexity
        self.purpose = purpose
        self.cache = cache
        self.tools = tools
        self.toolChoice = toolChoice
        self.timeoutSeconds = timeoutSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case alias, messages, responseFormat, maxTokens, temperature, complexity, purpose, cache, tools, toolChoice
        case timeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        alias = try container.decode(String.self, forKey: .alias)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat) ?? .text
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        complexity = try container.decodeIfPresent(Complexity.self, forKey: .complexity)
        purpose = try container.decodeIfPresent(String.self, forKey: .purpose)
        cache = try container.decodeIfPresent(Bool.self, forKey: .cache) ?? true
        tools = try container.decodeIfPresent([ToolDefinition].self, forKey: .tools) ?? []
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice)
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alias, forKey: .alias)
        try container.encode(messages, forKey: .messages)
        try container.encode(responseFormat, forKey: .responseFormat)
        try container.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(complexity, forKey: .complexity)
        try container.encodeIfPresent(purpose, forKey: .purpose)
        try container.encode(cache, forKey: .cache)
        if !tools.isEmpty { try container.encode(tools, forKey: .tools) }
        try container.encodeIfPresent(toolChoice, forKey: .toolChoice)
        try container.encodeIfPresent(timeoutSeconds, forKey: .timeoutSeconds)
    }
}
