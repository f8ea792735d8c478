/// A function the model may call, offered with a ``ModelRequest``.
///
/// JSON: `{"name": "get_weather", "description": "...", "parameters": {JSON Schema}}`.
public struct ToolDefinition: Codable, Sendable, Equatable, Hashable {
    /// The function's name, as the model will call it.
    public var name: String
    /// What the function does, for the model.
    public var description: String?
    /// The arguments, as a JSON Schema object.
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// A call of a ``ToolDefinition`` made by the model (in a ``ModelReply`` and in the assistant
/// ``ChatMessage`` that is sent back with the tool's result).
public struct ToolCall: Codable, Sendable, Equatable, Hashable {
    /// The provider's id of the call; a `tool` message answering it carries it as `toolCallId`.
    public var id: String
    /// The called function.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// Whether and which tool the model must call.
///
/// JSON: `"auto"`, `"none"`, `"required"`, or `{"tool": "<name>"}`.
public enum ToolChoice: Codable, Sendable, Equatable, Hashable {
    /// The model decides (the providers' default when tools are offered).
    case auto
    /// The model must answer with text.
    case none
    /// The model must call at least one tool.
    case required
    /// The model must call this tool.
    case tool(String)

    private enum CodingKeys: String, CodingKey { case tool }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let word = try? single.decode(String.self) {
            switch word {
            case "auto": self = .auto
            case "none": self = .none
            case "required": self = .required
            default:
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "toolChoice must be \"auto\", \"none\", \"required\" or {\"tool\": name}, not \"\(word)\""))
            }
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = .tool(try container.decode(String.self, forKey: .tool))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .auto: var single = encoder.singleValueContainer(); try single.encode("auto")
        case .none: var single = encoder.singleValueContainer(); try single.encode("none")
        case .required: var single = encoder.singleValueContainer(); try single.encode("required")
        case .tool(let name):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .tool)
        }
    }
}

/// One step of the gateway's routing for a request: an entry tried or passed over, and why.
public struct ModelAttempt: Codable, Sendable, Equatable, Hashable {
    /// What became of the entry.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        /// It answered.
        case ok
        /// Tried and failed (connection, timeout, status, malformed body); see `detail`.
        case failed
        /// Not tried: the prompt does not fit its context window.
        case skippedContextWindow
        /// Not tried: its circuit breaker is open.
        case skippedCircuitOpen
        /// Not tried: its rate limit could not admit the call before the deadline.
        case skippedRateLimited
        /// Not tried: the call would exceed the run's or the tenant's budget there.
        case skippedOverBudget
    }

    /// The routing entry, as `provider/model`.
    public var entry: String
    /// What became of it.
    public var outcome: Outcome
    /// Why, for people (an HTTP status, `timeout`, ...); never a secret.
    public var detail: String?
    /// How long the call took, in milliseconds (0 when not tried).
    public var latencyMs: Int

    public init(entry: String, outcome: Outcome, detail: String? = nil, latencyMs: Int = 0) {
        self.entry = entry
        self.outcome = outcome
        self.detail = detail
        self.latencyMs = latencyMs
    }
}
