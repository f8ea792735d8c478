/// `run.completed`: a run ended without failing: every step done, or cancelled by an operator.
public struct RunCompleted: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.runCompleted
    public static let version = 1

    /// How the run ended.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Every step succeeded.
        case completed
        /// An operator cancelled the run.
        case cancelled
    }

    /// How the run ended.
    public var status: Status
    /// A short account for people of what was done.
    public var summary: String
    /// Named results, e.g. the final step's output.
    public var outputs: [String: JSONValue]
    /// What the run's model calls cost, in US dollars.
    public var costUSD: Double
    /// Prompt tokens used by the run's model calls.
    public var promptTokens: Int
    /// Completion tokens used by the run's model calls.
    public var completionTokens: Int

    public init(
        status: Status,
        summary: String,
        outputs: [String: JSONValue] = [:],
        costUSD: Double = 0,
        promptTokens: Int = 0,
        completionTokens: Int = 0
    ) {
        self.status = status
        self.summary = summary
        self.outputs = outputs
        self.costUSD = costUSD
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}
