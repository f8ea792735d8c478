import AgentryContracts
import Foundation

/// A run in `GET /v1/runs/{id}`: the run, its steps in plan order, approvals, deliveries, and the
/// output of every step that succeeded, by step id.
struct RunDetail: Codable, Sendable, Equatable {
    var id: String
    var tenant: String
    var source: String
    var externalEventId: String?
    var request: String
    var status: String
    var error: String?
    var plan: JSONValue?
    var sourceReference: JSONValue?
    var budgetUSD: Double?
    var costUSD: Double
    var promptTokens: Int
    var completionTokens: Int
    var createdAt: Date
    var updatedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var steps: [StepView]
    var approvals: [ApprovalView]
    var deliveries: [DeliveryView]
    var outputs: [String: JSONValue]
    /// The first run of the conversation this run continues (an email reply), if it continues one.
    var threadRunId: String? = nil

    /// Orders `steps` as the plan lists them (steps not in the plan last, by creation) and fills
    /// `outputs` from the steps that succeeded.
    mutating func arrangeSteps() {
        var order: [String: Int] = [:]
        if let planSteps = plan?["steps"]?.arrayValue {
            for (index, step) in planSteps.enumerated() {
                if let id = step["id"]?.stringValue, order[id] == nil { order[id] = index }
            }
        }
        steps = steps.enumerated().sorted { left, right in
            let leftRank = order[left.element.id] ?? Int.max
            let rightRank = order[right.element.id] ?? Int.max
            return leftRank != rightRank ? leftRank < rightRank : left.offset < right.offset
        }.map(\.element)
        outputs = [:]
        for step in steps where step.status == "succeeded" {
            if let output = step.output { outputs[step.id] = output }
        }
    }
}
