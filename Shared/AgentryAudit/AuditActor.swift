import AgentryContracts
import Foundation

/// Who produced an envelope, as the audit log's `actor` column records it.
///
/// Derived from the envelope type, following who publishes what (DESIGN.md, "Services"):
///
/// | type | actor |
/// |---|---|
/// | `run.requested`, `run.control` | `ingest` (webhooks, the API, the CLI all enter through it) |
/// | `run.planned`, `run.completed`, `run.failed`, `work.item`, `approval.requested`, `model.request` | `director` |
/// | `step.completed`, `step.failed` | the worker of the step's specialist, e.g. `data-worker` (`worker` when unknown) |
/// | `model.reply` | `model-gateway` |
/// | `approval.decided` | the approver: the payload's `decidedBy` |
public enum AuditActor {
    /// The actor recorded when a step result's specialist cannot be found.
    public static let unknownWorker = "worker"
    /// The actor recorded for a decision whose `decidedBy` is empty.
    public static let unknownApprover = "approver"

    /// The actor of `envelope`; `specialist` is the kind of worker that ran the step, for step results.
    public static func actor(for envelope: Envelope, specialist: Specialist? = nil) -> String {
        switch envelope.payload {
        case .runRequested, .runControl:
            return "ingest"
        case .runPlanned, .runCompleted, .runFailed, .workItem, .approvalRequested, .modelRequest:
            return "director"
        case .stepCompleted, .stepFailed:
            return specialist.map { "\($0.rawValue)-worker" } ?? unknownWorker
        case .modelReply:
            return "model-gateway"
        case .approvalDecided(let decision):
            let approver = decision.decidedBy.trimmingCharacters(in: .whitespacesAndNewlines)
            return approver.isEmpty ? unknownApprover : approver
        }
    }

    /// True for envelopes whose actor depends on the step's specialist (step results).
    public static func needsSpecialist(_ envelope: Envelope) -> Bool {
        switch envelope.type {
        case .stepCompleted, .stepFailed: envelope.runId != nil && envelope.stepId != nil
        default: false
        }
    }
}
