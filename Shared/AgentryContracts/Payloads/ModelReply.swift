/// `model.reply`: the model gateway's answer to a ``ModelRequest``.
///
/// On failure `error` is set and `content` is empty; usage fields still count what was spent.
public struct ModelReply: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.modelReply
    public static let version = 1

    /// The generated text (JSON text when a JSON response format was asked for).
    public var content: String
    /// Why generation stopped (`stop`, `length`, ...), as the provider said.
    public var finishReason: String?
    /// The tool calls the model made instead of (or besides) text.
    public var toolCalls: [ToolCall]
    /// Which routing entry answered, as `provider/model`.
    public var entry: String?
    /// Every entry tried, in order, including the one that answered.
    public var tried: [String]
    /// Prompt tokens billed.
    public var promptTokens: Int
    /// Completion tokens billed.
    public var completionTokens: Int
    /// What the call cost, in US dollars (0 when served from the cache).
    public var costUSD: Double
    /// True when served from the gateway's cache.
    public var cached: Bool
    /// Why no answer could be produced.
    public var error: ModelError?
    /// Every entry considered, in order: answered, failed, or passed over and why.
    public var attempts: [ModelAttempt]

    public init(
        content: String,
        finishReason: String? = nil,
        toolCalls: [ToolCall] = [],
        entry: String? = nil,
        tried: [String] = [],
        promptTokens: Int = 0,
        completionTokens: Int = 0,
        costUSD: Double = 0,
        cached: Bool = false,
        error: ModelError? = nil,
        attempts: [ModelAttempt] = []
    ) {
        self.content = content
        self.finishReason = finishReason
        self.entry = entry
        self.tried = tried
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.cached = cached
        self.error = error
        self.toolCalls = toolCalls
        self.attempts = attempts
    }

    private enum CodingKeys: String, CodingKey {
        case content, finishReason, toolCalls, entry, tried, promptTokens, completionTokens, costUSD, cached, error
        case attempts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        content = try container.decode(String.self, forKey: .content)
        finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        toolCalls = try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls) ?? []
        entry = try container.decodeIfPresent(String.self, forKey: .entry)
        tried = try container.decodeIfPresent([String].self, forKey: .tried) ?? []
        promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        costUSD = try container.decodeIfPresent(Double.self, forKey: .costUSD) ?? 0
        cached = try container.decodeIfPresent(Bool.self, forKey: .cached) ?? false
        error = try container.decodeIfPresent(ModelError.self, forKey: .error)
        attempts = try container.decodeIfPresent([ModelAttempt].self, forKey: .attempts) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
        try container.encodeIfPresent(finishReason, forKey: .finishReason)
        if !toolCalls.isEmpty { try container.encode(toolCalls, forKey: .toolCalls) }
        try container.encodeIfPresent(entry, forKey: .entry)
        try container.encode(tried, forKey: .tried)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(costUSD, forKey: .costUSD)
        try container.encode(cached, forKey: .cached)
        try container.encodeIfPresent(error, forKey: .error)
        if !attempts.isEmpty { try container.encode(attempts, forKey: .attempts) }
    }
}
