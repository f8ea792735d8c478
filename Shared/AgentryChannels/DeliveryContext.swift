import Foundation

/// What produced a delivery: a comm worker's step or a notification about a run.
public struct DeliveryContext: Sendable, Hashable {
    /// The `deliveries.kind` column.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A step's side effect (`slack.post`, `email.send`, `jira.comment`).
        case step
        /// A notifier message about a run.
        case notification
    }

    /// The run the delivery belongs to, if any.
    public var runId: UUID?
    /// The step, for step deliveries.
    public var stepId: String?
    /// Step or notification.
    public var kind: Kind

    public init(runId: UUID?, stepId: String?, kind: Kind) {
        self.runId = runId
        self.stepId = stepId
        self.kind = kind
    }

    /// A step's delivery.
    public static func step(runId: UUID?, stepId: String) -> DeliveryContext {
        DeliveryContext(runId: runId, stepId: stepId, kind: .step)
    }

    /// A notification about a run (and, for approvals, its step).
    public static func notification(runId: UUID?, stepId: String? = nil) -> DeliveryContext {
        DeliveryContext(runId: runId, stepId: stepId, kind: .notification)
    }
}
