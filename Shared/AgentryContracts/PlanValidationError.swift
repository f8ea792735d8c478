/// A reason a ``Plan`` cannot be run, as returned by ``Plan/validate()``.
public enum PlanValidationError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The plan has no steps.
    case empty
    /// A step id is empty or has characters other than letters, digits, `-` and `_`.
    case invalidStepId(String)
    /// Two or more steps share this id.
    case duplicateStepId(String)
    /// `stepId` depends on `dependency`, which is not a step of the plan.
    case unknownDependency(stepId: String, dependency: String)
    /// The steps depend on each other in a loop; the path starts and ends with the same id.
    case cycle([String])
    /// A step's limits are impossible (a timeout or attempt count below 1, a negative output size).
    case invalidLimits(stepId: String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            "the plan has no steps"
        case .invalidStepId(let id):
            "step id \"\(id)\" must be non-empty and use only letters, digits, '-' and '_'"
        case .duplicateStepId(let id):
            "more than one step has id \"\(id)\""
        case .unknownDependency(let stepId, let dependency):
            "step \"\(stepId)\" depends on \"\(dependency)\", which is not in the plan"
        case .cycle(let path):
            "steps depend on each other in a cycle: \(path.joined(separator: " -> "))"
        case .invalidLimits(let stepId, let reason):
            "step \"\(stepId)\" has invalid limits: \(reason)"
        }
    }
}
