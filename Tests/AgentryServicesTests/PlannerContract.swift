import AgentryContracts
import Foundation

/// The tool contract between planner, director and workers, as a checker for the plans the
/// offline planner produces: which tools each specialist has, the input keys each tool needs, the
/// risk class the planner must give it, and that every `{{steps.<id>.output…}}` reference names a
/// step the referring step depends on.
enum PlannerContract {
    struct Tool {
        let specialist: Specialist
        let required: [String]
        let risk: RiskClass
    }

    static let tools: [String: Tool] = [
        "shell.run": Tool(specialist: .code, required: ["script"], risk: .high),
        "python.run": Tool(specialist: .code, required: ["code"], risk: .high),
        "sql.query": Tool(specialist: .data, required: ["sql"], risk: .low),
        "slack.post": Tool(specialist: .comm, required: ["channel", "text"], risk: .low),
        "email.send": Tool(specialist: .comm, required: ["to", "subject", "body"], risk: .high),
        "jira.comment": Tool(specialist: .comm, required: ["issue", "body"], risk: .low),
        "browser.open": Tool(specialist: .browser, required: ["url"], risk: .low),
    ]

    /// Every way `plan` breaks the contract or fails validation; empty when it keeps it.
    static func problems(_ plan: Plan) -> [String] {
        var problems = plan.validate().map(\.description)
        for step in plan.steps {
            guard let tool = tools[step.tool] else {
                problems.append("\(step.id): unknown tool \(step.tool)")
                continue
            }
            if step.specialist != tool.specialist { problems.append("\(step.id): \(step.tool) is not \(step.specialist)") }
            if step.risk != tool.risk { problems.append("\(step.id): \(step.tool) must be \(tool.risk) risk") }
            for key in tool.required {
                guard let value = step.input[key]?.stringValue, !value.isEmpty else {
                    problems.append("\(step.id): input.\(key) must be a non-empty string")
                    continue
                }
            }
            for reference in references(in: step.input) where !step.dependsOn.contains(reference) {
                problems.append("\(step.id): references \(reference) without depending on it")
            }
        }
        return problems
    }

    /// The step ids referenced as `{{steps.<id>.output…}}` anywhere in `value`.
    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text):
            // `{{steps.<id>.…}}`, also with spaces after the braces.
            var found: [String] = []
            var rest = Substring(text)
            while let open = rest.range(of: "{{") {
                rest = rest[open.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" }
                guard rest.hasPrefix("steps.") else { continue }
                found.append(String(rest.dropFirst(6).prefix { $0 != "." && $0 != "}" && !$0.isWhitespace }))
            }
            return found
        case .array(let values): return values.flatMap(references)
        case .object(let members): return members.values.flatMap(references)
        default: return []
        }
    }
}

/// A small deterministic random number generator (SplitMix64) for reproducible fuzzing.
struct PlannerRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
