import Foundation

/// Follows a run through the API until it ends, reporting what changes on the way.
struct RunFollower: Sendable {
    /// What happened while following.
    enum Event: Sendable, Equatable {
        /// The run's status changed (the first one seen included).
        case status(String)
        /// An approval began waiting for a decision.
        case approvalPending(TimelineApproval, step: TimelineStep?)
    }

    let client: AgentryAPIClient
    var pollInterval: Duration = .milliseconds(250)

    /// Polls the run until it is finished and returns it; throws after `timeout`. `onEvent` is
    /// called for each status change and each approval that starts waiting (once per approval).
    func follow(
        _ runId: String, timeout: Duration, onEvent: @Sendable (Event) async throws -> Void = { _ in }
    ) async throws -> RunTimeline {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var lastStatus: String?
        var announced = Set<String>()
        while true {
            if let run = try await client.run(runId) {
                if run.status != lastStatus {
                    lastStatus = run.status
                    try await onEvent(.status(run.status))
                }
                for approval in run.pendingApprovals where announced.insert(approval.id).inserted {
                    let step = approval.stepId.flatMap { id in run.steps.first { $0.id == id } }
                    try await onEvent(.approvalPending(approval, step: step))
                }
                if run.isFinished { return run }
            }
            guard clock.now < deadline else {
                throw CLIError("run \(runId) did not finish within \(timeout) (last status: \(lastStatus ?? "not yet created"))")
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
