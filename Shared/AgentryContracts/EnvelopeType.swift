/// The kind of an ``Envelope``; its raw value is the `type` field and the routing key on `agentry.events`.
public enum EnvelopeType: String, Sendable, CaseIterable, Codable {
    /// A new run is asked for (``RunRequested``).
    case runRequested = "run.requested"
    /// An operator cancels, pauses or resumes a run (``RunControl``).
    case runControl = "run.control"
    /// The director planned a run (``RunPlanned``).
    case runPlanned = "run.planned"
    /// A run ended normally or was cancelled (``RunCompleted``).
    case runCompleted = "run.completed"
    /// A run failed (``RunFailed``).
    case runFailed = "run.failed"
    /// A step to carry out, published to `agentry.work` (``WorkItem``).
    case workItem = "work.item"
    /// A worker finished a step (``StepCompleted``).
    case stepCompleted = "step.completed"
    /// A worker could not finish a step (``StepFailed``).
    case stepFailed = "step.failed"
    /// A step or plan waits for a person (``ApprovalRequested``).
    case approvalRequested = "approval.requested"
    /// A person approved or rejected (``ApprovalDecided``).
    case approvalDecided = "approval.decided"
    /// A call to the model gateway (``ModelRequest``).
    case modelRequest = "model.request"
    /// The model gateway's answer (``ModelReply``).
    case modelReply = "model.reply"

    /// The payload type carried by envelopes of this type.
    public var payloadType: any EnvelopePayloadBody.Type {
        switch self {
        case .runRequested: RunRequested.self
        case .runControl: RunControl.self
        case .runPlanned: RunPlanned.self
        case .runCompleted: RunCompleted.self
        case .runFailed: RunFailed.self
        case .workItem: WorkItem.self
        case .stepCompleted: StepCompleted.self
        case .stepFailed: StepFailed.self
        case .approvalRequested: ApprovalRequested.self
        case .approvalDecided: ApprovalDecided.self
        case .modelRequest: ModelRequest.self
        case .modelReply: ModelReply.self
        }
    }

    /// The schema version this build writes and reads for this type.
    public var currentVersion: Int { payloadType.version }
}
