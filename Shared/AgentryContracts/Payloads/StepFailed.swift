/// `step.failed`: a worker could not finish a step.
public struct StepFailed: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.stepFailed
    public static let version = 1

    /// What went wrong, for people (never a secret).
    public var error: String
    /// A short stable code, e.g. `timeout`, `tool_error`, `unknown_tool`, `output_too_large`.
    public var code: String
    /// True when another attempt may succeed (a timeout, a 503); false for bad input.
    public var retryable: Bool
    /// How long the attempt took, in milliseconds, when it started at all.
    public var durationMs: Int?

    public init(error: String, code: String, retryable: Bool, durationMs: Int? = nil) {
        self.error = error
        self.code = code
        self.retryable = retryable
        self.durationMs = durationMs
    }
}
