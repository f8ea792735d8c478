/// `step.completed`: a worker finished a step.
public struct StepCompleted: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.stepCompleted
    public static let version = 1

    /// The tool's output.
    public var output: JSONValue
    /// How long the successful attempt took, in milliseconds.
    public var durationMs: Int
    /// The work item's idempotency key, echoed.
    public var idempotencyKey: String

    public init(output: JSONValue, durationMs: Int, idempotencyKey: String) {
        self.output = output
        self.durationMs = durationMs
        self.idempotencyKey = idempotencyKey
    }
}
