import AgentryContracts
import AgentryHTTP
import Foundation

/// The Anthropic Messages protocol (`POST <baseURL>/v1/messages`).
///
/// ```swift
/// let provider = AnthropicMessagesProvider(baseURL: "https://api.anthropic.com", apiKey: key, client: .shared)
/// let result = try await provider.complete(ProviderCall(
///     model: "claude-sonnet-4-5", messages: [.system("Be brief."), .user("Hello")],
///     maxTokens: 512, timeout: .seconds(60)))
/// ```
///
/// System messages become the top-level `system` string; the other messages are merged into
/// alternating `user`/`assistant` turns of content blocks (tool calls as `tool_use`, tool results
/// as `tool_result` in a user turn). Anthropic is sent no JSON schema: a JSON reply is asked for
/// in `system`. The wire format lives in pure functions (``requestJSON(for:)``,
/// ``parseResponse(_:)``, ``StreamAccumulator``) tested without a network.
struct AnthropicMessagesProvider: HTTPModelProvider, CustomStringConvertible {
    /// The full `…/v1/messages` URL.
    let endpoint: String
    /// Sent as `x-api-key`; `nil` sends none (a local proxy that adds it).
    let apiKey: ProviderAPIKey?
    /// Sent as `anthropic-version`.
    let version: String
    /// Headers added to every request (after the defaults, replacing same-named ones), such as `anthropic-beta`.
    let extraHeaders: [String: String]
    /// The HTTP client the calls go through.
    let client: HTTPClient

    /// Creates an adapter for the API at `baseURL` (such as `https://api.anthropic.com`).
    ///
    /// - Parameters:
    ///   - baseURL: The API root; a trailing slash is ignored, and a root already ending in `/v1`
    ///     is not given a second one.
    ///   - apiKey: Sent as `x-api-key` when given and not empty.
    ///   - version: The `anthropic-version` header.
    ///   - extraHeaders: Further headers.
    ///   - client: The HTTP client.
    init(
        baseURL: String, apiKey: String?, version: String = "2023-06-01", extraHeaders: [String: String] = [:],
        client: HTTPClient
    ) {
        let root = ProviderHTTP.endpoint(baseURL, path: "")
        endpoint = root.hasSuffix("/v1") ? root + "/messages" : root + "/v1/messages"
        self.apiKey = ProviderAPIKey(apiKey)
        self.version = version
        self.extraHeaders = extraHeaders
        self.client = client
    }

    var description: String { "AnthropicMessagesProvider(\(endpoint))" }

    /// `x-api-key` when there is a key, and `anthropic-version`.
    var authenticationHeaders: [(String, String)] {
        (apiKey.map { [("x-api-key", $0.value)] } ?? []) + [("anthropic-version", version)]
    }

    // MARK: Request

    /// The JSON body for `call`, keys sorted.
    static func requestBody(for call: ProviderCall) throws -> Data {
        try ProviderHTTP.encode(try requestJSON(for: call))
    }

    /// The request body for `call` as a JSON value.
    ///
    /// - Throws: a request-specific ``ProviderFailure`` (`status(400)`) when an assistant tool
    ///   call's arguments are not a JSON object, which Anthropic requires as `input`.
    static func requestJSON(for call: ProviderCall) throws -> JSONValue {
        var system = call.messages.filter { $0.role == .system }.map(\.content).filter { !$0.isEmpty }
        if let instruction = ProviderHTTP.jsonInstruction(for: call.responseFormat) { system.append(instruction) }

        var body: [String: JSONValue] = [
            "model": .string(call.model),
            "max_tokens": .number(Double(call.maxTokens)),
            "messages": .array(try turns(call.messages).map { ["role": .string($0.role), "content": .array($0.blocks)] }),
        ]
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        if let temperature = call.temperature { body["temperature"] = .number(temperature) }
        if !call.tools.isEmpty {
            body["tools"] = .array(call.tools.map(toolJSON))
            if let choice = call.toolChoice { body["tool_choice"] = toolChoiceJSON(choice) }
        }
        if call.stream { body["stream"] = true }
        return .object(body)
    }

    /// One turn of the `messages` array.
    struct Turn: Sendable, Equatable {
        /// `user` or `assistant`.
        var role: String
        /// The content blocks.
        var blocks: [JSONValue]
    }

    /// The non-system messages as alternating turns: consecutive messages of the same role
    /// (tool results count as `user`) are merged, messages without content are dropped, and in a
    /// user turn the `tool_result` blocks come first, as Anthropic requires.
    static func turns(_ messages: [ChatMessage]) throws -> [Turn] {
        var turns: [Turn] = []
        for message in messages where message.role != .system {
            let turn = try self.turn(message)
            if turn.blocks.isEmpty { continue }
            if let last = turns.last, last.role == turn.role {
                turns[turns.count - 1].blocks += turn.blocks
            } else {
                turns.append(turn)
            }
        }
        return turns.map { turn in
            guard turn.role == "user" else { return turn }
            let results = turn.blocks.filter { $0["type"] == "tool_result" }
            let others = turn.blocks.filter { $0["type"] != "tool_result" }
            return Turn(role: turn.role, blocks: results + others)
        }
    }

    /// One message as a turn of content blocks (empty text is left out: Anthropic rejects it).
    static func turn(_ message: ChatMessage) throws -> Turn {
        let text: [JSONValue] = message.content.isEmpty ? [] : [["type": "text", "text": .string(message.content)]]
        switch message.role {
        case .system, .user:
            return Turn(role: "user", blocks: text)
        case .assistant:
            let uses = try (message.toolCalls ?? []).map { call -> JSONValue in
                ["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": try toolInput(call)]
            }
            return Turn(role: "assistant", blocks: text + uses)
        case .tool:
            let result: JSONValue = [
                "type": "tool_result",
                "tool_use_id": .string(message.toolCallId ?? ""),
                "content": .string(message.content),
            ]
            return Turn(role: "user", blocks: [result])
        }
    }

    /// A tool call's arguments parsed as the `input` object (empty arguments are `{}`).
    static func toolInput(_ call: ToolCall) throws -> JSONValue {
        let arguments = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        if arguments.isEmpty { return [:] }
        guard let input = ProviderHTTP.decode(arguments), input.objectValue != nil else {
            throw ProviderFailure(
                .status(400),
                message: "the arguments of tool call \(call.id) are not a JSON object, which Anthropic requires as input")
        }
        return input
    }

    /// One offered tool.
    static func toolJSON(_ tool: ToolDefinition) -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(tool.name), "input_schema": tool.parameters]
        if let description = tool.description { object["description"] = .string(description) }
        return .object(object)
    }

    /// `tool_choice`: `{type: auto}`, `{type: none}`, `{type: any}` for required, `{type: tool, name}`.
    static func toolChoiceJSON(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: ["type": "auto"]
        case .none: ["type": "none"]
        case .required: ["type": "any"]
        case .tool(let name): ["type": "tool", "name": .string(name)]
        }
    }

    // MARK: Response

    /// Parses a buffered `message` body: text blocks joined, `tool_use` blocks as tool calls
    /// (the `input` re-serialised as compact JSON with sorted keys), `stop_reason` and usage.
    ///
    /// - Throws: ``ProviderFailure`` `.malformed` when the body is not a message with a content
    ///   array, or `.rateLimited`/`.malformed` when it is an error object.
    static func parseResponse(_ data: Data) throws -> ProviderResult {
        guard let json = ProviderHTTP.decode(data), json.objectValue != nil else {
            throw ProviderFailure.malformed("the response body is not a JSON object")
        }
        if json["type"] == "error" || !(json["error"]?.isNull ?? true) { throw ProviderFailure.reported(json) }
        guard let blocks = json["content"]?.arrayValue else {
            throw ProviderFailure.malformed("the response has no content array")
        }
        var text = ""
        var toolCalls: [ToolCall] = []
        for (position, block) in blocks.enumerated() {
            switch block["type"]?.stringValue {
            case "text":
                text += block["text"]?.stringValue ?? ""
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw ProviderFailure.malformed("tool_use block \(position) has no id or name")
                }
                toolCalls.append(ToolCall(id: id, name: name, arguments: ProviderHTTP.text(block["input"] ?? [:])))
            default:
                continue
            }
        }
        return ProviderResult(
            content: text, toolCalls: toolCalls, finishReason: json["stop_reason"]?.stringValue,
            promptTokens: promptTokens(json["usage"]), completionTokens: ProviderHTTP.count(json["usage"]?["output_tokens"]))
    }

    /// Prompt tokens: `input_tokens` plus the cache creation and cache read tokens when present
    /// (Anthropic counts those apart from `input_tokens`); `nil` without `input_tokens`.
    static func promptTokens(_ usage: JSONValue?) -> Int? {
        guard let input = ProviderHTTP.count(usage?["input_tokens"]) else { return nil }
        let cached = (ProviderHTTP.count(usage?["cache_creation_input_tokens"]) ?? 0)
            + (ProviderHTTP.count(usage?["cache_read_input_tokens"]) ?? 0)
        return input + cached
    }
}

extension AnthropicMessagesProvider {
    /// Assembles a reply from Messages stream events: `message_start` (input usage),
    /// `content_block_start`/`_delta`/`_stop` (text and `tool_use` blocks, JSON input fragments
    /// concatenated per index), `message_delta` (stop reason, output usage) and `message_stop`,
    /// which completes it. `ping` and unknown events are ignored; an `error` event fails.
    struct StreamAccumulator: ProviderStreamAccumulator {
        static let endedEarlyMessage = "the stream ended before message_stop"

        /// A content block whose deltas are still arriving.
        struct PartialBlock: Sendable {
            var type: String
            var text = ""
            var id = ""
            var name = ""
            var inputJSON = ""
            var startInput: JSONValue?
        }

        private(set) var isComplete = false
        private var blocks: [Int: PartialBlock] = [:]
        private var stopReason: String?
        private var promptTokens: Int?
        private var completionTokens: Int?

        init() {}

        mutating func consume(_ event: ServerSentEvent) throws {
            let data = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
            if data.isEmpty { return }
            guard let json = ProviderHTTP.decode(data), json.objectValue != nil else {
                if event.event == "error" { throw ProviderFailure.malformed("the provider reported an error: \(data)") }
                throw ProviderFailure.malformed("a stream event is not a JSON object")
            }
            switch json["type"]?.stringValue ?? event.event {
            case "message_start":
                let usage = json["message"]?["usage"]
                promptTokens = AnthropicMessagesProvider.promptTokens(usage) ?? promptTokens
                completionTokens = ProviderHTTP.count(usage?["output_tokens"]) ?? completionTokens
            case "content_block_start":
                guard let index = json["index"]?.intValue, let block = json["content_block"] else {
                    throw ProviderFailure.malformed("content_block_start has no index or content_block")
                }
                blocks[index] = PartialBlock(
                    type: block["type"]?.stringValue ?? "", text: block["text"]?.stringValue ?? "",
                    id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                    startInput: block["input"])
            case "content_block_delta":
                guard let index = json["index"]?.intValue, var block = blocks[index] else {
                    throw ProviderFailure.malformed("content_block_delta for a block that was not started")
                }
                block.text += json["delta"]?["text"]?.stringValue ?? ""
                block.inputJSON += json["delta"]?["partial_json"]?.stringValue ?? ""
                blocks[index] = block
            case "message_delta":
                stopReason = json["delta"]?["stop_reason"]?.stringValue ?? stopReason
                promptTokens = AnthropicMessagesProvider.promptTokens(json["usage"]) ?? promptTokens
                completionTokens = ProviderHTTP.count(json["usage"]?["output_tokens"]) ?? completionTokens
            case "message_stop":
                isComplete = true
            case "error":
                throw ProviderFailure.reported(json)
            default:
                break
            }
        }

        func result() throws -> ProviderResult {
            guard isComplete else { throw ProviderFailure.malformed(Self.endedEarlyMessage) }
            var text = ""
            var toolCalls: [ToolCall] = []
            for (index, block) in blocks.sorted(by: { $0.key < $1.key }) {
                switch block.type {
                case "text":
                    text += block.text
                case "tool_use":
                    guard !block.id.isEmpty, !block.name.isEmpty else {
                        throw ProviderFailure.malformed("streamed tool_use block \(index) has no id or name")
                    }
                    toolCalls.append(ToolCall(id: block.id, name: block.name, arguments: arguments(of: block)))
                default:
                    continue
                }
            }
            return ProviderResult(
                content: text, toolCalls: toolCalls, finishReason: stopReason,
                promptTokens: promptTokens, completionTokens: completionTokens)
        }

        /// A streamed tool call's input as text, serialised the way ``parseResponse(_:)`` does it:
        /// the concatenated fragments (or the start event's `input` when none came) as compact
        /// sorted JSON, or the fragments as they are when they do not parse.
        private func arguments(of block: PartialBlock) -> String {
            if block.inputJSON.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return ProviderHTTP.text(block.startInput ?? [:])
            }
            guard let input = ProviderHTTP.decode(block.inputJSON) else { return block.inputJSON }
            return ProviderHTTP.text(input)
        }
    }
}
