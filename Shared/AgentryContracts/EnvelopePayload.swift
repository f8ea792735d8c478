/// The typed payload of an ``Envelope``: one case per ``EnvelopeType``.
public enum EnvelopePayload: Sendable, Equatable {
    case runRequested(RunRequested)
    case runControl(RunControl)
    case runPlanned(RunPlanned)
    case runCompleted(RunCompleted)
    case runFailed(RunFailed)
    case workItem(WorkItem)
    case stepCompleted(StepCompleted)
    case stepFailed(StepFailed)
    case approvalRequested(ApprovalRequested)
    case approvalDecided(ApprovalDecided)
    case modelRequest(ModelRequest)
    case modelReply(ModelReply)

    /// The envelope type of this payload.
    public var type: EnvelopeType { Swift.type(of: body).envelopeType }

    /// The schema version this build writes for this payload.
    public var version: Int { Swift.type(of: body).version }

    /// The wrapped payload struct.
    public var body: any EnvelopePayloadBody {
        switch self {
        case .runRequested(let body): body
        case .runControl(let body): body
        case .runPlanned(let body): body
        case .runCompleted(let body): body
        case .runFailed(let body): body
        case .workItem(let body): body
        case .stepCompleted(let body): body
        case .stepFailed(let body): body
        case .approvalRequested(let body): body
        case .approvalDecided(let body): body
        case .modelRequest(let body): body
        case .modelReply(let body): body
        }
    }

    /// The wrapped payload when it is a `Body`, e.g. `envelope.payload.as(StepCompleted.self)`.
    public func `as`<Body: EnvelopePayloadBody>(_ type: Body.Type) -> Body? {
        body as? Body
    }

    /// Wraps a payload struct of this module in its case.
    init(_ body: any EnvelopePayloadBody) {
        switch body {
        case let body as RunRequested: self = .runRequested(body)
        case let body as RunControl: self = .runControl(body)
        case let body as RunPlanned: self = .runPlanned(body)
        case let body as RunCompleted: self = .runCompleted(body)
        case let body as RunFailed: self = .runFailed(body)
        case let body as WorkItem: self = .workItem(body)
        case let body as StepCompleted: self = .stepCompleted(body)
        case let body as StepFailed: self = .stepFailed(body)
        case let body as ApprovalRequested: self = .approvalRequested(body)
        case let body as ApprovalDecided: self = .approvalDecided(body)
        case let body as ModelRequest: self = .modelRequest(body)
        case let body as ModelReply: self = .modelReply(body)
        default: preconditionFailure("\(Swift.type(of: body)) is not an envelope payload of this module")
        }
    }
}
