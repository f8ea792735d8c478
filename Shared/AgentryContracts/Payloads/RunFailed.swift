/// `run.failed`: a run cannot finish.
public struct RunFailed: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.runFailed
    public static let version = 1

    /// Why, for people.
    public var reason: String
    /// The step whose failure ended the run, if one did.
    public var failedStepId: String?
    /// A short stable code, e.g. `step_failed`, `invalid_plan`, `over_budget`, `approval_rejected`.
    public var code: String?

    public init(reason: String, failedStepId: String? = nil, code: String? = nil) {
        self.reason = reason
        self.failedStepId = failedStepId
        self.code = code
    }
}
