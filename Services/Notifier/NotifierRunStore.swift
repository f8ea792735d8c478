import Foundation

/// Where the notifier reads runs and steps.
protocol NotifierRunStore: Sendable {
    /// The run, or `nil` when the database has no such run.
    func run(_ id: UUID) async throws -> NotifierRun?
    /// The step `stepId` of run `runId`, or `nil`.
    func step(runId: UUID, stepId: String) async throws -> NotifierStep?
}
