import AgentryContracts
import AgentryHTTP
import Foundation

/// The OpenAI Chat Completions protocol (`POST <baseURL>/chat/completions`), spoken by OpenAI and
/// by OpenAI-compatible servers such as Ollama, vLLM and llama.cpp.
///
/// ```swift
/// let provider = OpenAIChatProvider(baseURL: "http://localhost:11434/v1", apiKey: nil, client: .shared)
/// let result = try await provider.complete(ProviderCall(
///     model: "llama3.1", messages: [.user("Hello")], maxTokens: 256, timeout: .seconds(30)))
/// ```
///
/// The wire format lives in pure functions (``requestJSON(for:)``, ``parseResponse(_:)``,
/// ``StreamAccumulator``) so it is tested without a network.
struct OpenAIChatProvider: HTTPModelProvider, CustomStringConvertible {
    /// The full `…/chat/completions` URL.
    let endpoint: String
    /// The bearer key; `nil` sends no `Authorization` header.
    let apiKey: ProviderAPIKey?
    /// Headers added to every request (after the defaults, replacing same-named ones).
    let extraHeaders: [String: String]
    /// The HTTP client the calls go through.
    let client: HTTPClient

    /// Creates an adapter for the server at `baseURL` (such as `https://api.openai.com/v1`).
    ///
    /// - Parameters:
    ///   - baseURL: The API root; a trailing slash is ignored.
    ///   - apiKey: Sent as `Authorization: Bearer <key>` when given and not empty.
    ///   - extraHeaders: Further headers, such as `OpenAI-Organization`.
    ///   - client: The HTTP client.
    init(baseURL: String, apiKey: String?, extraHeaders: [String: String] = [:], client: HTTPClient) {
        endpoint = ProviderHTTP.endpoint(baseURL, path: "/chat/completions")
        self.apiKey = ProviderAPIKey(apiKey)
        self.extraHeaders = extraHeaders
        self.client = client
    }

    var description: String { "OpenAIChatProvider(\(endpoint))" }

    /// `Authorization: Bearer <key>` when there is a key.
    var authenticationHeaders: [(String, String)] {
        apiKey.map { [("Authorization", "Bearer \($0.value)")] } ?? []
    }

    // MARK: Request

    /// The JSON body for `call`, keys sorted.
    static func requestBody(for call: ProviderCall) throws -> Data {
        try ProviderHTTP.encode(requestJSON(for: call))
    }

    /// The request body for `call` as a JSON value.
    ///
    /// `response_format` is `json_schema` (not strict) or `json_object` when
    /// `nativeStructuredOutput` is set; otherwise the JSON instruction (with the schema) is added
    /// to the system prompt instead. In `json_object` mode OpenAI requires the word "JSON" in the
    /// messages, so the instruction is added too when no message mentions it. `tool_choice` is
    /// only sent with tools, as OpenAI rejects it otherwise.
    static func requestJSON(for call: ProviderCall) -> JSONValue {
        var messages = call.messages
        var body: [String: JSONValue] = [
            "model": .string(call.model),
            "max_tokens": .number(Double(call.maxTokens)),
        ]
        switch call.responseFormat {
        case .text:
            break
        case .jsonObject where call.nativeStructuredOutput:
            body["response_format"] = ["type": "json_object"]
            if !messages.contains(where: { $0.content.localizedCaseInsensitiveContains("json") }),
               let instruction = ProviderHTTP.jsonInstruction(for: .jsonObject) {
                messages = ProviderHTTP.addingSystemInstruction(instruction, to: messages)
            }
        case .jsonSchema(let name, let schema) where call.nativeStructuredOutput:
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": .string(schemaName(name)), "schema": schema, "strict": false],
            ]
        case .jsonObject, .jsonSchema:
            if let instruction = ProviderHTTP.jsonInstruction(for: call.responseFormat) {
                messages = ProviderHTTP.addingSystemInstruction(instruction, to: messages)
            }
        }
        body["messages"] = .array(messages.map(messageJSON))
        if let temperature = call.temperature { body["temperature"] = .number(temperature) }
        if !call.tools.isEmpty {
            body["tools"] = .array(call.tools.map(toolJSON))
            if let choice = call.toolChoice { body["tool_choice"] = toolChoiceJSON(choice) }
        }
        if call.stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    /// One message: `content` is `null` for an assistant message that only calls tools.
    static func messageJSON(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        let calls = message.role == .assistant ? message.toolCalls ?? [] : []
        object["content"] = calls.isEmpty || !message.content.isEmpty ? .string(message.content) : .null
        if !calls.isEmpty {
            object["tool_calls"] = .array(calls.map { call in
                [
                    "id": .string(call.id),
                    "type": "function",
                    "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                ]
            })
        }
        if message.role == .tool, let id = message.toolCallId { object["tool_call_id"] = .string(id) }
        if let name = message.name { object["name"] = .string(name) }
        return .object(object)
    }

    /// One offered function.
    static func toolJSON(_ tool: ToolDefinition) -> JSONValue {
        var function: [String: JSONValue] = ["name": .string(tool.name), "parameters": tool.parameters]
        if let description = tool.description { function["description"] = .string(description) }
        return ["type": "function", "function": .object(function)]
    }

    /// `tool_choice`: `"auto"`, `"none"`, `"required"` or `{type: function, function: {name}}`.
    static func toolChoiceJSON(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: "auto"
        case .none: "none"
        case .required: "required"
        case .tool(let name): ["type": "function", "function": ["name": .string(name)]]
        }
    }

    /// A schema name OpenAI accepts (`[a-zA-Z0-9_-]{1,64}`): other characters become `_`.
    static func schemaName(_ name: String) -> String {
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" }.prefix(64))
        return cleaned.isEmpty ? "response" : cleaned
    }

    // MARK: Response

    /// Parses a buffered `chat.completion` body.
    ///
    /// - Throws: ``ProviderFailure`` `.malformed` when the body is not a completion with a first
    ///   choice, or `.rateLimited`/`.malformed` when it is an error object.
    static func parseResponse(_ data: Data) throws -> ProviderResult {
        guard let json = ProviderHTTP.decode(data), json.objectValue != nil else {
            throw ProviderFailure.malformed("the response body is not a JSON object")
        }
        if let error = json["error"], !error.isNull { throw ProviderFailure.reported(json) }
        guard let message = json["choices"]?[0]?["message"], message.objectValue != nil else {
            throw ProviderFailure.malformed("the response has no choices[0].message")
        }
        var toolCalls: [ToolCall] = []
        for (position, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let name = call["function"]?["name"]?.stringValue else {
                throw ProviderFailure.malformed("tool call \(position) has no function name")
            }
            toolCalls.append(ToolCall(
                id: call["id"]?.stringValue ?? "call_\(position)", name: name,
                arguments: argumentsText(call["function"]?["arguments"])))
        }
        return ProviderResult(
            content: text(of: message["content"]),
            toolCalls: toolCalls,
            finishReason: json["choices"]?[0]?["finish_reason"]?.stringValue,
            promptTokens: ProviderHTTP.count(json["usage"]?["prompt_tokens"]),
            completionTokens: ProviderHTTP.count(json["usage"]?["completion_tokens"]))
    }

    /// Message content: a string, `null`, or (some compatible servers) an array of text parts.
    static func text(of content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
    }

    /// Tool call arguments as text: OpenAI sends a string; a server sending an object gets it serialised.
    static func argumentsText(_ arguments: JSONValue?) -> String {
        guard let arguments, !arguments.isNull else { return "" }
        return arguments.stringValue ?? ProviderHTTP.text(arguments)
    }
}

extension OpenAIChatProvider {
    /// Assembles a reply from `chat.completion.chunk` events: content deltas appended, tool call
    /// deltas merged by `index` (id and name from the first, arguments concatenated), the
    /// finish reason, and usage from the chunk that carries it. `data: [DONE]` completes it.
    struct StreamAccumulator: ProviderStreamAccumulator {
        static let endedEarlyMessage = "the stream ended before [DONE]"

        /// A tool call whose deltas are still arriving.
        struct PartialToolCall: Sendable {
            var id = ""
            var name = ""
            var arguments = ""
        }

        private(set) var isComplete = false
        private var content = ""
        private var toolCalls: [Int: PartialToolCall] = [:]
        private var finishReason: String?
        private var promptTokens: Int?
        private var completionTokens: Int?

        init() {}

        mutating func consume(_ event: ServerSentEvent) throws {
            let data = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
            if data == "[DONE]" {
                isComplete = true
                return
            }
            if data.isEmpty { return }
            guard let chunk = ProviderHTTP.decode(data), chunk.objectValue != nil else {
                if event.event == "error" { throw ProviderFailure.malformed("the provider reported an error: \(data)") }
                throw ProviderFailure.malformed("a stream event is not a JSON object")
            }
            if event.event == "error" || !(chunk["error"]?.isNull ?? true) { throw ProviderFailure.reported(chunk) }
            if let usage = chunk["usage"], usage.objectValue != nil {
                promptTokens = ProviderHTTP.count(usage["prompt_tokens"]) ?? promptTokens
                completionTokens = ProviderHTTP.count(usage["completion_tokens"]) ?? completionTokens
            }
            for choice in chunk["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
                if let delta = choice["delta"] { apply(delta) }
                if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
            }
        }

        /// Applies one choice's `delta`.
        private mutating func apply(_ delta: JSONValue) {
            content += OpenAIChatProvider.text(of: delta["content"])
            for (position, call) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
                let index = call["index"]?.intValue ?? position
                var partial = toolCalls[index] ?? PartialToolCall()
                if partial.id.isEmpty, let id = call["id"]?.stringValue { partial.id = id }
                if partial.name.isEmpty, let name = call["function"]?["name"]?.stringValue { partial.name = name }
                partial.arguments += OpenAIChatProvider.argumentsText(call["function"]?["arguments"])
                toolCalls[index] = partial
            }
        }

        func result() throws -> ProviderResult {
            guard isComplete else { throw ProviderFailure.malformed(Self.endedEarlyMessage) }
            let calls = try toolCalls.sorted { $0.key < $1.key }.map { index, partial in
                guard !partial.name.isEmpty else {
                    throw ProviderFailure.malformed("streamed tool call \(index) has no function name")
                }
                return ToolCall(
                    id: partial.id.isEmpty ? "call_\(index)" : partial.id, name: partial.name,
                    arguments: partial.arguments)
            }
            return ProviderResult(
                content: content, toolCalls: calls, finishReason: finishReason,
                promptTokens: promptTokens, completionTokens: completionTokens)
        }
    }
}
