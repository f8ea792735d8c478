/// `work.item`: one step for a specialist, published to `agentry.work` with the specialist as the
/// routing key. Everything the worker needs is here: workers are stateless.
public struct WorkItem: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.workItem
    public static let version = 1

    /// The step's id within the run.
    public var stepId: String
    /// The kind of worker that must run it.
    public var specialist: Specialist
    /// The tool to run, e.g. `sql.query`.
    public var tool: String
    /// The tool's input, with references to earlier outputs already resolved.
    public var input: JSONValue
    /// Time, attempt and output limits.
    public var limits: StepLimits
    /// Stable across redeliveries and retries of this step: effects keyed on it happen once.
    public var idempotencyKey: String
    /// The step's risk class (a `high` step arrives only once approved).
    public var risk: RiskClass

    public init(
        stepId: String,
        specialist: Specialist,
        tool: String,
        input: JSONValue,
        limits: StepLimits = .standard,
        idempotencyKey: String,
        risk: RiskClass
    ) {
        self.stepId = stepId
        self.specialist = specialist
        self.tool = tool
        self.input = input
        self.limits = limits
        self.idempotencyKey = idempotencyKey
        self.risk = risk
    }
}
