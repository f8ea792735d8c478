/// A run's work as a typed DAG of steps.
///
/// ```swift
/// let plan = Plan(steps: [
///     PlanStep(id: "fetch", specialist: .data, tool: "sql.query", input: ["sql": "select ..."]),
///     PlanStep(id: "post", specialist: .comm, tool: "slack.post",
///              input: ["text": "{{steps.fetch.output.summary}}"], dependsOn: ["fetch"], risk: .high),
/// ])
/// guard plan.validate().isEmpty else { ... }
/// ```
public struct Plan: Codable, Sendable, Equatable, Hashable {
    /// The steps, in the order the planner wrote them.
    public var steps: [PlanStep]

    public init(steps: [PlanStep]) {
        self.steps = steps
    }

    /// The step with `id`, if any.
    public func step(id: String) -> PlanStep? {
        steps.first { $0.id == id }
    }
}
