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

    public init(
        content: String,
        finishReason: String? = nil,
        entry: String? = nil,
        tried: [String] = [],
        promptTokens: Int = 0,
        completionTokens: Int = 0,
        costUSD: Double = 0,
        cached: Bool = false,
        error: ModelError? = nil
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
    }
}
