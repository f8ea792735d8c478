/// `run.planned`: the director has a plan for the run (from the model or a workflow).
public struct RunPlanned: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.runPlanned
    public static let version = 1

    /// The validated plan.
    public var plan: Plan

    public init(plan: Plan) {
        self.plan = plan
    }
}
