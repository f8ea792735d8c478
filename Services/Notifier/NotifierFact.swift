import AgentryContracts
import Foundation

/// A fact the notifier tells people about.
enum NotifierFact: Sendable, Hashable {
    case completed(RunCompleted)
    case failed(RunFailed)
    case approvalRequested(ApprovalRequested)

    /// The fact carried by `payload`, or `nil` for a payload the notifier does not handle.
    init?(_ payload: EnvelopePayload) {
        switch payload {
        case .runCompleted(let completed): self = .completed(completed)
        case .runFailed(let failed): self = .failed(failed)
        case .approvalRequested(let requested): self = .approvalRequested(requested)
        default: return nil
        }
    }

    /// The step the fact is about, if any (the failed step, the step awaiting approval).
    var stepId: String? {
        switch self {
        case .completed: nil
        case .failed(let failed): failed.failedStepId
        case .approvalRequested(let requested): requested.kind == .step ? requested.stepId : nil
        }
    }

    /// The delivery's idempotency key: one notification per fact, whatever the number of
    /// redeliveries or duplicate envelopes.
    func idempotencyKey(runId: UUID) -> String {
        let run = runId.uuidString.lowercased()
        switch self {
        case .completed: return "notify:run.completed:\(run)"
        case .failed: return "notify:run.failed:\(run)"
        case .approvalRequested(let requested):
            return "notify:approval.requested:\(run):\(requested.approvalId.uuidString.lowercased())"
        }
    }
}
