/// One step of a ``Plan``: a tool call by a specialist, after the steps it depends on.
public struct PlanStep: Codable, Sendable, Equatable, Hashable {
    /// Unique within the plan; letters, digits, `-` and `_` (it appears in templates such as
    /// `{{steps.fetch-incidents.output.rows}}`).
    public var id: String
    /// The kind of worker that runs the step.
    public var specialist: Specialist
    /// The tool the worker runs, e.g. `sql.query`, `slack.post`.
    public var tool: String
    /// The tool's input; strings may reference earlier outputs with `{{steps.<id>.output...}}`.
    public var input: JSONValue
    /// Ids of the steps that must succeed before this one is ready.
    public var dependsOn: [String]
    /// How much harm the step could do; `high` waits for approval.
    public var risk: RiskClass
    /// Time, attempt and output limits.
    public var limits: StepLimits
    /// A sentence for people: what the step does and why.
    public var description: String?

    public init(
        id: String,
        specialist: Specialist,
        tool: String,
        input: JSONValue = [:],
        dependsOn: [String] = [],
        risk: RiskClass = .low,
        limits: StepLimits = .standard,
        description: String? = nil
    ) {
        self.id = id
        self.specialist = specialist
        self.tool = tool
        self.input = input
        self.dependsOn = dependsOn
        self.risk = risk
        self.limits = limits
        self.description = description
    }
}

extension PlanStep {
    private enum CodingKeys: String, CodingKey {
        case id, specialist, tool, input, dependsOn, risk, limits, description
    }

    /// Decodes a step; `input`, `dependsOn`, `risk` and `limits` may be left out (planners often do)
    /// and take the same defaults as the memberwise initialiser.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            specialist: try container.decode(Specialist.self, forKey: .specialist),
            tool: try container.decode(String.self, forKey: .tool),
            // `decodeIfPresent` would turn an explicit `null` input into the default.
            input: container.contains(.input) ? try container.decode(JSONValue.self, forKey: .input) : [:],
            dependsOn: try container.decodeIfPresent([String].self, forKey: .dependsOn) ?? [],
            risk: try container.decodeIfPresent(RiskClass.self, forKey: .risk) ?? .low,
            limits: try container.decodeIfPresent(StepLimits.self, forKey: .limits) ?? .standard,
            description: try container.decodeIfPresent(String.self, forKey: .description))
    }
}
