import AgentryContracts
import Foundation

/// One step of a run, as `GET /v1/runs/{id}` shows it.
struct StepView: Codable, Sendable, Equatable {
    var id: String
    var specialist: String
    var tool: String
    var description: String?
    var status: String
    var risk: String
    var dependsOn: [String]
    var attempts: Int
    var maxAttempts: Int
    var input: JSONValue
    var output: JSONValue?
    var error: String?
    var createdAt: Date
    var updatedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
}

extension StepView {
    /// The step as an edited plan must keep it, when it has started (dispatched or finished); nil
    /// while it has not.
    var started: Plan.StartedStep? {
        guard !Plan.unstartedStepStatuses.contains(status), let specialist = Specialist(rawValue: specialist) else { return nil }
        return Plan.StartedStep(
            id: id, specialist: specialist, tool: tool, input: input, dependsOn: dependsOn, status: status)
    }
}
