import AgentryContracts
import AgentryHTTP
import AgentryTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import AgentryModelGateway

/// The provider adapters' wire formats, tested through their pure functions with fixtures written
/// from the OpenAI Chat Completions and Anthropic Messages documentation: request encoding,
/// buffered and streamed response parsing, and the mapping of failures onto ``ProviderFailure``.
@Suite struct ModelProviderWireTests {
    static let weatherTool = ToolDefinition(
        name: "get_weather", description: "Current weather of a city.",
        parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])

    static let planSchema: JSONValue = [
        "type": "object", "properties": ["steps": ["type": "array", "items": ["type": "string"]]],
        "required": ["steps"],
    ]

    /// A call with `messages` and defaults elsewhere.
    static func call(
        _ messages: [ChatMessage], tools: [ToolDefinition] = [], toolChoice: ToolChoice? = nil,
        responseFormat: ResponseFormat = .text, native: Bool = true, temperature: Double? = nil, stream: Bool = false
    ) -> ProviderCall {
        ProviderCall(
            model: "test-model", messages: messages, tools: tools, toolChoice: toolChoice,
            responseFormat: responseFormat, nativeStructuredOutput: native, maxTokens: 256,
            temperature: temperature, stream: stream, timeout: .seconds(30))
    }

    /// Parses a request body back into a JSON value.
    static func json(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Server-sent events with the given data lines (and optional event names).
    static func events(_ items: [(String?, String)]) -> [ServerSentEvent] {
        items.map { ServerSentEvent(event: $0.0 ?? "message", data: $0.1) }
    }

    /// The failure `body` throws, or `nil` when it throws none or another error.
    static func failure(_ body: () throws -> Void) -> ProviderFailure? {
        do {
            try body()
            return nil
        } catch {
            return error as? ProviderFailure
        }
    }
}

// MARK: - OpenAI Chat Completions

extension ModelProviderWireTests {
    @Suite struct OpenAIChat {
        @Test func encodesEveryRoleToolsAndSampling() throws {
            let call = ModelProviderWireTests.call(
                [
                    .system("You are terse."),
                    ChatMessage(role: .user, content: "Weather in Paris?", name: "alice"),
                    ChatMessage(role: .assistant, content: "", toolCalls: [
                        ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                    ]),
                    .tool("18°C, cloudy", callId: "call_1"),
                    .assistant("It is 18°C and cloudy."),
                ],
                tools: [ModelProviderWireTests.weatherTool], toolChoice: .auto, temperature: 0.25)
            let body = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: call))
            let expected: JSONValue = [
                "model": "test-model",
                "max_tokens": 256,
                "temperature": 0.25,
                "messages": [
                    ["role": "system", "content": "You are terse."],
                    ["role": "user", "content": "Weather in Paris?", "name": "alice"],
                    [
                        "role": "assistant", "content": nil,
                        "tool_calls": [[
                            "id": "call_1", "type": "function",
                            "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#],
                        ]],
                    ],
                    ["role": "tool", "content": "18°C, cloudy", "tool_call_id": "call_1"],
                    ["role": "assistant", "content": "It is 18°C and cloudy."],
                ],
                "tools": [[
                    "type": "function",
                    "function": [
                        "name": "get_weather", "description": "Current weather of a city.",
                        "parameters": ModelProviderWireTests.weatherTool.parameters,
                    ],
                ]],
                "tool_choice": "auto",
            ]
            #expect(body == expected)
        }

        static let toolChoices: [(ToolChoice, JSONValue)] = [
            (.auto, "auto"),
            (.none, "none"),
            (.required, "required"),
            (.tool("get_weather"), ["type": "function", "function": ["name": "get_weather"]]),
        ]

        @Test(arguments: toolChoices)
        func encodesToolChoice(choice: ToolChoice, expected: JSONValue) throws {
            let call = ModelProviderWireTests.call(
                [.user("hi")], tools: [ModelProviderWireTests.weatherTool], toolChoice: choice)
            let body = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: call))
            #expect(body["tool_choice"] == expected)
        }

        @Test func sendsNoToolChoiceWithoutTools() throws {
            let call = ModelProviderWireTests.call([.user("hi")], toolChoice: .required)
            let body = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: call))
            #expect(body["tool_choice"] == nil)
            #expect(body["tools"] == nil)
            #expect(body["temperature"] == nil)
            #expect(body["response_format"] == nil)
            #expect(body["stream"] == nil)
        }

        @Test func sendsNativeJSONSchema() throws {
            let call = ModelProviderWireTests.call(
                [.system("Plan."), .user("Do it")],
                responseFormat: .jsonSchema(name: "plan", schema: ModelProviderWireTests.planSchema))
            let body = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: call))
            let expected: JSONValue = [
                "type": "json_schema",
                "json_schema": ["name": "plan", "schema": ModelProviderWireTests.planSchema, "strict": false],
            ]
            #expect(body["response_format"] == expected)
            #expect(body["messages"]?[0] == ["role": "system", "content": "Plan."])
        }

        @Test func sendsJSONObjectModeAndMentionsJSONWhenNoMessageDoes() throws {
            let mentioned = ModelProviderWireTests.call([.user("Reply in JSON please")], responseFormat: .jsonObject)
            let mentionedBody = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: mentioned))
            #expect(mentionedBody["response_format"] == ["type": "json_object"])
            #expect(mentionedBody["messages"]?.arrayValue?.count == 1)

            let silent = ModelProviderWireTests.call([.user("Classify this")], responseFormat: .jsonObject)
            let silentBody = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: silent))
            #expect(silentBody["response_format"] == ["type": "json_object"])
            #expect(silentBody["messages"]?[0]?["role"] == "system")
            #expect(silentBody["messages"]?[0]?["content"]?.stringValue?.contains("JSON object") == true)
        }

        @Test func asksForJSONInTheSystemPromptWithoutNativeStructuredOutput() throws {
            let format = ResponseFormat.jsonSchema(name: "plan", schema: ModelProviderWireTests.planSchema)
            let withSystem = ModelProviderWireTests.call(
                [.system("Plan."), .user("Do it")], responseFormat: format, native: false)
            let body = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: withSystem))
            #expect(body["response_format"] == nil)
            let messages = try #require(body["messages"]?.arrayValue)
            #expect(messages.count == 2)
            let system = try #require(messages[0]["content"]?.stringValue)
            #expect(system.hasPrefix("Plan.\n\nAnswer with only a JSON value"))
            #expect(system.contains(ProviderHTTP.text(ModelProviderWireTests.planSchema)))

            let withoutSystem = ModelProviderWireTests.call([.user("Do it")], responseFormat: format, native: false)
            let plain = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: withoutSystem))
            let plainMessages = try #require(plain["messages"]?.arrayValue)
            #expect(plainMessages.count == 2)
            #expect(plainMessages[0]["role"] == "system")
            #expect(plainMessages[0]["content"]?.stringValue?.contains(#""required":["steps"]"#) == true)
            #expect(plainMessages[1] == ["role": "user", "content": "Do it"])
        }

        @Test func encodesTheSchemaNameOpenAIAccepts() {
            #expect(OpenAIChatProvider.schemaName("incident plan.v2") == "incident_plan_v2")
            #expect(OpenAIChatProvider.schemaName("") == "response")
            #expect(OpenAIChatProvider.schemaName(String(repeating: "a", count: 80)).count == 64)
        }

        @Test func asksForAStreamWithUsage() throws {
            let call = ModelProviderWireTests.call([.user("hi")], stream: true)
            let body = try ModelProviderWireTests.json(OpenAIChatProvider.requestBody(for: call))
            #expect(body["stream"] == true)
            #expect(body["stream_options"] == ["include_usage": true])
        }

        @Test func buildsTheHTTPRequest() throws {
            let provider = OpenAIChatProvider(
                baseURL: "https://api.openai.com/v1/", apiKey: "sk-test-123",
                extraHeaders: ["OpenAI-Organization": "org-1"], client: .shared)
            let request = try provider.makeRequest(for: ModelProviderWireTests.call([.user("hi")]))
            #expect(request.url == "https://api.openai.com/v1/chat/completions")
            #expect(request.method == .post)
            #expect(request.headers["authorization"] == "Bearer sk-test-123")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["OpenAI-Organization"] == "org-1")
            #expect(request.timeouts.total == .seconds(30))

            let local = OpenAIChatProvider(baseURL: "http://localhost:11434/v1", apiKey: nil, client: .shared)
            let localRequest = try local.makeRequest(for: ModelProviderWireTests.call([.user("hi")], stream: true))
            #expect(localRequest.url == "http://localhost:11434/v1/chat/completions")
            #expect(!localRequest.headers.contains(name: "Authorization"))
            #expect(localRequest.headers["accept"] == "text/event-stream")
        }

        @Test func parsesATextCompletion() throws {
            let body = """
                {"id": "chatcmpl-123", "object": "chat.completion", "created": 1677652288, "model": "gpt-4o-mini",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there.", "refusal": null},
                              "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}}
                """
            let result = try OpenAIChatProvider.parseResponse(Data(body.utf8))
            #expect(result == ProviderResult(
                content: "Hello there.", finishReason: "stop", promptTokens: 9, completionTokens: 12))
        }

        @Test func parsesToolCallsWithNullContentAndNoUsage() throws {
            let body = """
                {"id": "chatcmpl-abc", "object": "chat.completion",
                 "choices": [{"index": 0, "finish_reason": "tool_calls",
                   "message": {"role": "assistant", "content": null, "tool_calls": [
                     {"id": "call_abc", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}},
                     {"id": "call_def", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]}}]}
                """
            let result = try OpenAIChatProvider.parseResponse(Data(body.utf8))
            #expect(result.content == "")
            #expect(result.toolCalls == [
                ToolCall(id: "call_abc", name: "get_weather", arguments: #"{"city": "Paris"}"#),
                ToolCall(id: "call_def", name: "get_time", arguments: "{}"),
            ])
            #expect(result.finishReason == "tool_calls")
            #expect(result.promptTokens == nil)
            #expect(result.completionTokens == nil)
        }

        @Test(arguments: [
            "<html>Bad gateway</html>",
            #"{"object": "chat.completion", "choices": []}"#,
            #"{"choices": [{"index": 0, "message": {"tool_calls": [{"id": "x", "function": {}}]}}]}"#,
        ])
        func rejectsBodiesThatAreNotACompletion(body: String) {
            let failure = ModelProviderWireTests.failure { _ = try OpenAIChatProvider.parseResponse(Data(body.utf8)) }
            #expect(failure?.kind == .malformed)
        }

        @Test func accumulatesAStreamedTextReplyAndUsage() throws {
            var stream = OpenAIChatProvider.StreamAccumulator()
            let chunks = [
                #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
                #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"usage":null}"#,
                #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo!"},"finish_reason":null}],"usage":null}"#,
                #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
                #"{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#,
            ]
            for event in ModelProviderWireTests.events(chunks.map { (nil, $0) }) {
                try stream.consume(event)
                #expect(!stream.isComplete)
            }
            try stream.consume(ServerSentEvent(data: "[DONE]"))
            #expect(stream.isComplete)
            #expect(try stream.result() == ProviderResult(
                content: "Hello!", finishReason: "stop", promptTokens: 9, completionTokens: 2))
        }

        @Test func accumulatesToolCallsSplitAcrossChunksByIndex() throws {
            var stream = OpenAIChatProvider.StreamAccumulator()
            let chunks = [
                #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"finish_reason":null}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{\"tz\""}}]},"finish_reason":null}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]},"finish_reason":null}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":":\"CET\"}"}}]},"finish_reason":null}]}"#,
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":17,"total_tokens":57}}"#,
                "[DONE]",
            ]
            for event in ModelProviderWireTests.events(chunks.map { (nil, $0) }) { try stream.consume(event) }
            let result = try stream.result()
            #expect(result.content == "")
            #expect(result.toolCalls == [
                ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                ToolCall(id: "call_2", name: "get_time", arguments: #"{"tz":"CET"}"#),
            ])
            #expect(result.finishReason == "tool_calls")
            #expect(result.promptTokens == 40)
            #expect(result.completionTokens == 17)
        }

        @Test func aStreamWithoutDoneIsMalformedEvenWithContent() throws {
            var stream = OpenAIChatProvider.StreamAccumulator()
            try stream.consume(ServerSentEvent(data: #"{"choices":[{"index":0,"delta":{"content":"partial"}}]}"#))
            try stream.consume(ServerSentEvent(data: #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#))
            #expect(!stream.isComplete)
            let failure = ModelProviderWireTests.failure { _ = try stream.result() }
            #expect(failure == ProviderFailure(.malformed, message: "the stream ended before [DONE]"))
        }

        @Test func anErrorInsideTheStreamFails() throws {
            var stream = OpenAIChatProvider.StreamAccumulator()
            try stream.consume(ServerSentEvent(data: #"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#))
            let error = #"{"error":{"message":"The server had an error while processing your request.","type":"server_error","code":null}}"#
            let failure = ModelProviderWireTests.failure { try stream.consume(ServerSentEvent(data: error)) }
            #expect(failure?.kind == .malformed)
            #expect(failure?.message.contains("The server had an error") == true)

            var limited = OpenAIChatProvider.StreamAccumulator()
            let rate = #"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#
            let rateFailure = ModelProviderWireTests.failure {
                try limited.consume(ServerSentEvent(event: "error", data: rate))
            }
            #expect(rateFailure?.kind == .rateLimited)
            #expect(rateFailure?.message.contains("Rate limit reached") == true)

            var garbage = OpenAIChatProvider.StreamAccumulator()
            #expect(ModelProviderWireTests.failure { try garbage.consume(ServerSentEvent(data: "not json")) }?.kind
                == .malformed)
        }

        @Test func describesItselfWithoutTheKey() {
            let provider = OpenAIChatProvider(baseURL: "https://api.openai.com/v1", apiKey: "sk-secret-999", client: .shared)
            #expect(!String(describing: provider).contains("sk-secret-999"))
            #expect(!String(reflecting: provider).contains("sk-secret-999"))
            var dumped = ""
            dump(provider, to: &dumped)
            #expect(!dumped.contains("sk-secret-999"))
        }
    }
}

// MARK: - Anthropic Messages

extension ModelProviderWireTests {
    @Suite struct AnthropicMessages {
        @Test func extractsSystemMergesRolesAndEncodesToolTurns() throws {
            let call = ModelProviderWireTests.call(
                [
                    .system("You are terse."),
                    .user("Weather in Paris"),
                    .user("and Rome?"),
                    ChatMessage(role: .assistant, content: "Checking.", toolCalls: [
                        ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                        ToolCall(id: "toolu_2", name: "get_weather", arguments: #"{"city":"Rome"}"#),
                    ]),
                    .tool("18°C", callId: "toolu_1"),
                    .system("Use Celsius."),
                    .tool("24°C", callId: "toolu_2"),
                    .user("Thanks"),
                    .assistant("Paris 18°C, Rome 24°C."),
                ],
                tools: [ModelProviderWireTests.weatherTool], toolChoice: .auto, temperature: 0.5)
            let body = try ModelProviderWireTests.json(AnthropicMessagesProvider.requestBody(for: call))
            let expected: JSONValue = [
                "model": "test-model",
                "max_tokens": 256,
                "temperature": 0.5,
                "system": "You are terse.\n\nUse Celsius.",
                "messages": [
                    ["role": "user", "content": [
                        ["type": "text", "text": "Weather in Paris"],
                        ["type": "text", "text": "and Rome?"],
                    ]],
                    ["role": "assistant", "content": [
                        ["type": "text", "text": "Checking."],
                        ["type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": ["city": "Paris"]],
                        ["type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": ["city": "Rome"]],
                    ]],
                    ["role": "user", "content": [
                        ["type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C"],
                        ["type": "tool_result", "tool_use_id": "toolu_2", "content": "24°C"],
                        ["type": "text", "text": "Thanks"],
                    ]],
                    ["role": "assistant", "content": [["type": "text", "text": "Paris 18°C, Rome 24°C."]]],
                ],
                "tools": [[
                    "name": "get_weather", "description": "Current weather of a city.",
                    "input_schema": ModelProviderWireTests.weatherTool.parameters,
                ]],
                "tool_choice": ["type": "auto"],
            ]
            #expect(body == expected)
        }

        @Test func putsToolResultsBeforeTextInAMergedUserTurn() throws {
            let turns = try AnthropicMessagesProvider.turns([
                ChatMessage(role: .assistant, content: "", toolCalls: [ToolCall(id: "t1", name: "f", arguments: "")]),
                .user("Also note this."),
                .tool("done", callId: "t1"),
            ])
            #expect(turns == [
                .init(role: "assistant", blocks: [["type": "tool_use", "id": "t1", "name": "f", "input": [:]]]),
                .init(role: "user", blocks: [
                    ["type": "tool_result", "tool_use_id": "t1", "content": "done"],
                    ["type": "text", "text": "Also note this."],
                ]),
            ])
        }

        static let toolChoices: [(ToolChoice, JSONValue)] = [
            (.auto, ["type": "auto"]),
            (.none, ["type": "none"]),
            (.required, ["type": "any"]),
            (.tool("get_weather"), ["type": "tool", "name": "get_weather"]),
        ]

        @Test(arguments: toolChoices)
        func encodesToolChoice(choice: ToolChoice, expected: JSONValue) throws {
            let call = ModelProviderWireTests.call(
                [.user("hi")], tools: [ModelProviderWireTests.weatherTool], toolChoice: choice)
            let body = try ModelProviderWireTests.json(AnthropicMessagesProvider.requestBody(for: call))
            #expect(body["tool_choice"] == expected)
        }

        @Test func sendsOnlyWhatIsSet() throws {
            let call = ModelProviderWireTests.call([.user("hi")], toolChoice: .required)
            let body = try ModelProviderWireTests.json(AnthropicMessagesProvider.requestBody(for: call))
            #expect(body == [
                "model": "test-model", "max_tokens": 256,
                "messages": [["role": "user", "content": [["type": "text", "text": "hi"]]]],
            ])
            let streamed = try ModelProviderWireTests.json(AnthropicMessagesProvider.requestBody(
                for: ModelProviderWireTests.call([.user("hi")], stream: true)))
            #expect(streamed["stream"] == true)
        }

        @Test(arguments: [true, false])
        func asksForJSONInTheSystemPrompt(native: Bool) throws {
            let format = ResponseFormat.jsonSchema(name: "plan", schema: ModelProviderWireTests.planSchema)
            let call = ModelProviderWireTests.call([.system("Plan."), .user("Do it")], responseFormat: format, native: native)
            let body = try ModelProviderWireTests.json(AnthropicMessagesProvider.requestBody(for: call))
            #expect(body["response_format"] == nil)
            let system = try #require(body["system"]?.stringValue)
            #expect(system.hasPrefix("Plan.\n\nAnswer with only a JSON value"))
            #expect(system.contains(ProviderHTTP.text(ModelProviderWireTests.planSchema)))

            let object = ModelProviderWireTests.call([.user("Do it")], responseFormat: .jsonObject, native: native)
            let objectBody = try ModelProviderWireTests.json(AnthropicMessagesProvider.requestBody(for: object))
            #expect(objectBody["system"]?.stringValue?.hasPrefix("Answer with only a JSON object") == true)
        }

        @Test func rejectsToolArgumentsThatAreNotAnObject() {
            let call = ModelProviderWireTests.call([
                .user("hi"),
                ChatMessage(role: .assistant, content: "", toolCalls: [ToolCall(id: "t1", name: "f", arguments: "[1, 2")]),
            ])
            let failure = ModelProviderWireTests.failure { _ = try AnthropicMessagesProvider.requestBody(for: call) }
            #expect(failure?.kind == .status(400))
            #expect(failure?.isRequestSpecific == true)
        }

        @Test func buildsTheHTTPRequest() throws {
            let provider = AnthropicMessagesProvider(
                baseURL: "https://api.anthropic.com/", apiKey: "sk-ant-test",
                extraHeaders: ["anthropic-beta": "tools-2024"], client: .shared)
            let request = try provider.makeRequest(for: ModelProviderWireTests.call([.user("hi")]))
            #expect(request.url == "https://api.anthropic.com/v1/messages")
            #expect(request.headers["x-api-key"] == "sk-ant-test")
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["anthropic-beta"] == "tools-2024")
            #expect(!request.headers.contains(name: "Authorization"))
            #expect(request.timeouts.total == .seconds(30))

            let versioned = AnthropicMessagesProvider(
                baseURL: "http://127.0.0.1:8080/v1", apiKey: nil, version: "2024-01-01", client: .shared)
            let versionedRequest = try versioned.makeRequest(for: ModelProviderWireTests.call([.user("hi")]))
            #expect(versionedRequest.url == "http://127.0.0.1:8080/v1/messages")
            #expect(versionedRequest.headers["anthropic-version"] == "2024-01-01")
            #expect(!versionedRequest.headers.contains(name: "x-api-key"))
        }

        @Test func parsesTextAndToolUseBlocks() throws {
            let body = """
                {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [
                   {"type": "text", "text": "Let me check "},
                   {"type": "text", "text": "the weather."},
                   {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
                    "input": {"city": "Paris", "days": 3, "units": {"temp": "C"}}}],
                 "stop_reason": "tool_use", "stop_sequence": null,
                 "usage": {"input_tokens": 472, "output_tokens": 91}}
                """
            let result = try AnthropicMessagesProvider.parseResponse(Data(body.utf8))
            #expect(result.content == "Let me check the weather.")
            #expect(result.finishReason == "tool_use")
            #expect(result.promptTokens == 472)
            #expect(result.completionTokens == 91)
            let call = try #require(result.toolCalls.first)
            #expect(result.toolCalls.count == 1)
            #expect(call.id == "toolu_01")
            #expect(call.name == "get_weather")
            #expect(call.arguments == #"{"city":"Paris","days":3,"units":{"temp":"C"}}"#)
        }

        @Test func countsCachedPromptTokens() throws {
            let body = """
                {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "ok"}],
                 "stop_reason": "end_turn",
                 "usage": {"input_tokens": 10, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 5,
                           "output_tokens": 2}}
                """
            let result = try AnthropicMessagesProvider.parseResponse(Data(body.utf8))
            #expect(result == ProviderResult(content: "ok", finishReason: "end_turn", promptTokens: 115, completionTokens: 2))
        }

        @Test(arguments: [
            "not json",
            #"{"type": "message", "role": "assistant"}"#,
            #"{"type": "message", "content": [{"type": "tool_use", "input": {}}]}"#,
            #"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#,
        ])
        func rejectsBodiesThatAreNotAMessage(body: String) {
            let failure = ModelProviderWireTests.failure {
                _ = try AnthropicMessagesProvider.parseResponse(Data(body.utf8))
            }
            #expect(failure?.kind == .malformed)
        }

        /// The documented event sequence of a streamed reply with text and a tool call.
        static let toolStream: [(String?, String)] = [
            ("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("ping", #"{"type": "ping"}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me "}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"check."}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\", \"days\": 3}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"#),
        ]

        @Test func accumulatesAStreamedReplyWithAToolCall() throws {
            var stream = AnthropicMessagesProvider.StreamAccumulator()
            for event in ModelProviderWireTests.events(Self.toolStream) {
                try stream.consume(event)
                #expect(!stream.isComplete)
            }
            try stream.consume(ServerSentEvent(event: "message_stop", data: #"{"type":"message_stop"}"#))
            #expect(stream.isComplete)
            #expect(try stream.result() == ProviderResult(
                content: "Let me check.",
                toolCalls: [ToolCall(id: "toolu_01", name: "get_weather", arguments: #"{"city":"Paris","days":3}"#)],
                finishReason: "tool_use", promptTokens: 25, completionTokens: 89))
        }

        @Test func aToolCallWithoutInputDeltasHasTheStartInput() throws {
            var stream = AnthropicMessagesProvider.StreamAccumulator()
            for event in ModelProviderWireTests.events([
                ("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}"#),
                ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_9","name":"now","input":{}}}"#),
                ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}"#),
                ("message_stop", #"{"type":"message_stop"}"#),
            ]) { try stream.consume(event) }
            #expect(try stream.result().toolCalls == [ToolCall(id: "toolu_9", name: "now", arguments: "{}")])
        }

        @Test func aStreamWithoutMessageStopIsMalformed() throws {
            var stream = AnthropicMessagesProvider.StreamAccumulator()
            for event in ModelProviderWireTests.events(Self.toolStream) { try stream.consume(event) }
            let failure = ModelProviderWireTests.failure { _ = try stream.result() }
            #expect(failure == ProviderFailure(.malformed, message: "the stream ended before message_stop"))
        }

        @Test func anErrorEventFails() throws {
            var stream = AnthropicMessagesProvider.StreamAccumulator()
            try stream.consume(ServerSentEvent(event: "message_start", data: #"{"type":"message_start","message":{"usage":{"input_tokens":1}}}"#))
            let overloaded = #"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#
            let failure = ModelProviderWireTests.failure {
                try stream.consume(ServerSentEvent(event: "error", data: overloaded))
            }
            #expect(failure?.kind == .malformed)
            #expect(failure?.message.contains("Overloaded") == true)

            var limited = AnthropicMessagesProvider.StreamAccumulator()
            let rate = #"{"type": "error", "error": {"type": "rate_limit_error", "message": "Too many requests"}}"#
            #expect(ModelProviderWireTests.failure {
                try limited.consume(ServerSentEvent(event: "error", data: rate))
            }?.kind == .rateLimited)
        }

        @Test func describesItselfWithoutTheKey() {
            let provider = AnthropicMessagesProvider(baseURL: "https://api.anthropic.com", apiKey: "sk-ant-777", client: .shared)
            #expect(!String(describing: provider).contains("sk-ant-777"))
            #expect(!String(reflecting: provider).contains("sk-ant-777"))
        }
    }
}

// MARK: - Failures

extension ModelProviderWireTests {
    @Suite struct Failures {
        static let now = Date(timeIntervalSince1970: 1_700_000_000)

        @Test func rateLimitedWithRetryAfterSeconds() {
            let body = Data(#"{"error": {"message": "Rate limit reached for gpt-4o", "type": "requests", "code": "rate_limit_exceeded"}}"#.utf8)
            let failure = ProviderHTTP.failure(
                status: 429, headers: ["Retry-After": "20"], body: body, apiKey: "sk-x", now: Self.now)
            #expect(failure.kind == .rateLimited)
            #expect(failure.retryAfter == .seconds(20))
            #expect(failure.message == "HTTP 429: Rate limit reached for gpt-4o")
            #expect(failure.label == "rate_limited")
        }

        @Test func rateLimitedWithRetryAfterHTTPDate() {
            // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT; the date is 90 seconds later.
            let failure = ProviderHTTP.failure(
                status: 429, headers: ["retry-after": "Tue, 14 Nov 2023 22:14:50 GMT"], body: Data(), apiKey: nil,
                now: Self.now)
            #expect(failure.kind == .rateLimited)
            #expect(failure.retryAfter == .seconds(90))
            #expect(failure.message == "HTTP 429")

            let past = ProviderHTTP.failure(
                status: 429, headers: ["Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"], body: Data(), apiKey: nil,
                now: Self.now)
            #expect(past.retryAfter == .zero)
        }

        @Test func parsesObsoleteHTTPDateForms() {
            let expected = Date(timeIntervalSince1970: 784_111_777)
            #expect(ProviderHTTP.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
            #expect(ProviderHTTP.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
            #expect(ProviderHTTP.httpDate("Sun Nov  6 08:49:37 1994") == expected)
            #expect(ProviderHTTP.httpDate("soon") == nil)
        }

        @Test func prefersRetryAfterMilliseconds() {
            let failure = ProviderHTTP.failure(
                status: 429, headers: ["retry-after-ms": "1500", "Retry-After": "2"], body: Data(), apiKey: nil,
                now: Self.now)
            #expect(failure.retryAfter == .milliseconds(1500))
        }

        @Test func capsAHugeRetryAfterAtTenMinutes() {
            for headers: HTTPHeaders in [["Retry-After": String(repeating: "9", count: 40)], ["retry-after-ms": "86400000"],
                                         ["Retry-After": "86400"]] {
                let failure = ProviderHTTP.failure(status: 429, headers: headers, body: Data(), apiKey: nil, now: Self.now)
                #expect(failure.retryAfter == .seconds(600))
            }
        }

        @Test func ignoresRetryAfterThatIsNotADelay() {
            for value in ["-5", "0x10", "later", "inf"] {
                let failure = ProviderHTTP.failure(
                    status: 429, headers: ["Retry-After": value], body: Data(), apiKey: nil, now: Self.now)
                #expect(failure.retryAfter == nil, "Retry-After: \(value)")
            }
        }

        @Test func serverErrorsCarryTheProviderMessageAndRetryAfter() {
            let openAI = ProviderHTTP.failure(
                status: 500, headers: [:],
                body: Data(#"{"error": {"message": "The server had an error processing your request.", "type": "server_error"}}"#.utf8),
                apiKey: nil)
            #expect(openAI.kind == .status(500))
            #expect(openAI.message == "HTTP 500: The server had an error processing your request.")
            #expect(openAI.retryAfter == nil)
            #expect(openAI.label == "http_500")
            #expect(!openAI.isRequestSpecific)

            let anthropic = ProviderHTTP.failure(
                status: 529, headers: ["Retry-After": "7"],
                body: Data(#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#.utf8),
                apiKey: nil)
            #expect(anthropic.kind == .status(529))
            #expect(anthropic.message == "HTTP 529: Overloaded")
            #expect(anthropic.retryAfter == .seconds(7))

            let proxy = ProviderHTTP.failure(status: 502, headers: [:], body: Data("  Bad Gateway\n".utf8), apiKey: nil)
            #expect(proxy.message == "HTTP 502: Bad Gateway")
        }

        @Test func clientErrorsAreStatusesWithoutRetryAfter() {
            let failure = ProviderHTTP.failure(
                status: 400, headers: ["Retry-After": "3"],
                body: Data(#"{"error": {"message": "max_tokens: must be at least 1", "type": "invalid_request_error"}}"#.utf8),
                apiKey: nil)
            #expect(failure.kind == .status(400))
            #expect(failure.retryAfter == nil)
            #expect(failure.isRequestSpecific)
            #expect(failure.message == "HTTP 400: max_tokens: must be at least 1")
            let ollama = ProviderHTTP.failure(
                status: 404, headers: [:], body: Data(#"{"error": "model \"llama9\" not found"}"#.utf8), apiKey: nil)
            #expect(ollama.message == #"HTTP 404: model "llama9" not found"#)
        }

        @Test func redactsTheKeyEchoedInAnErrorBody() {
            let key = "sk-proj-abcdef0123456789"
            let body = Data("""
                {"error": {"message": "Incorrect API key provided: \(key). Key \(key) was revoked.",
                           "type": "invalid_request_error", "code": "invalid_api_key"}}
                """.utf8)
            let failure = ProviderHTTP.failure(status: 401, headers: [:], body: body, apiKey: key)
            #expect(failure.kind == .status(401))
            #expect(!failure.message.contains(key))
            #expect(!failure.description.contains(key))
            #expect(failure.message == "HTTP 401: Incorrect API key provided: [redacted]. Key [redacted] was revoked.")

            let raw = ProviderHTTP.failure(status: 403, headers: [:], body: Data("forbidden for \(key)".utf8), apiKey: key)
            #expect(raw.message == "HTTP 403: forbidden for [redacted]")
        }

        @Test func truncatesLongMessagesAfterRedacting() {
            let key = "sk-live-KEY"
            let message = String(repeating: "x", count: 295) + key + String(repeating: "y", count: 500)
            let body = try! ProviderHTTP.encode(["error": ["message": .string(message)]])
            let failure = ProviderHTTP.failure(status: 500, headers: [:], body: body, apiKey: key)
            #expect(failure.message.count == ProviderHTTP.maxMessageLength)
            #expect(failure.message.hasSuffix("…"))
            #expect(!failure.message.contains("sk-live"))
            #expect(ProviderHTTP.sanitize(failure.message, apiKey: key) == failure.message)
        }

        @Test func mapsTransportErrors() {
            func kind(_ code: HTTPClientError.Code) -> ProviderFailure.Kind? {
                (ProviderHTTP.translate(HTTPClientError(code, url: "https://api.example.com/v1"), apiKey: nil)
                    as? ProviderFailure)?.kind
            }
            #expect(kind(.timedOut) == .timeout)
            #expect(kind(.connectTimedOut) == .timeout)
            #expect(kind(.connectFailed) == .connection)
            #expect(kind(.tlsFailed) == .connection)
            #expect(kind(.transferFailed(56)) == .connection)
            #expect(kind(.shutDown) == .connection)
            #expect(kind(.cancelled) == .connection)
            #expect(kind(.bodyTooLarge) == .malformed)
            #expect(ProviderHTTP.translate(CancellationError(), apiKey: nil) is CancellationError)
        }

        @Test func redactsTheKeyInTransportErrors() {
            let key = "sk-in-url"
            let error = HTTPClientError(.connectFailed, url: "https://proxy.example/\(key)/v1", detail: "refused \(key)")
            let failure = ProviderHTTP.translate(error, apiKey: key) as? ProviderFailure
            #expect(failure?.kind == .connection)
            #expect(failure?.message.contains(key) == false)
        }

        @Test func aRefusedConnectionIsAConnectionFailure() async throws {
            let socket = try ProviderTestSocket(listening: false)
            defer { socket.close() }
            let provider = OpenAIChatProvider(baseURL: "http://127.0.0.1:\(socket.port)/v1", apiKey: "sk-z", client: .shared)
            let error = await #expect(throws: ProviderFailure.self) {
                _ = try await provider.complete(ModelProviderWireTests.call([.user("hi")]))
            }
            #expect(error?.kind == .connection)
            #expect(error?.message.contains("sk-z") == false)
        }

        @Test(arguments: [false, true])
        func aSilentServerTimesOut(stream: Bool) async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let provider = AnthropicMessagesProvider(baseURL: "http://127.0.0.1:\(socket.port)", apiKey: nil, client: .shared)
            var call = ModelProviderWireTests.call([.user("hi")], stream: stream)
            call.timeout = .milliseconds(300)
            let error = await #expect(throws: ProviderFailure.self) { _ = try await provider.complete(call) }
            #expect(error?.kind == .timeout)
        }
    }
}

// MARK: - Over loopback HTTP

extension ModelProviderWireTests {
    /// The drivers of buffered and streamed calls against canned raw HTTP answers.
    @Suite struct OverHTTP {
        @Test func assemblesAStreamAndSendsTheKeyOnlyInItsHeader() async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let events = [
                #"{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}"#,
                #"{"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}"#,
                "[DONE]",
            ].map { "data: \($0)\n\n" }.joined()
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events
            async let received = socket.answerOnce(answer)
            let provider = OpenAIChatProvider(baseURL: "http://127.0.0.1:\(socket.port)/v1/", apiKey: "sk-wire", client: .shared)
            let result = try await provider.complete(ModelProviderWireTests.call([.user("hi")], stream: true))
            #expect(result == ProviderResult(content: "Hi there", finishReason: "stop", promptTokens: 5, completionTokens: 2))
            let request = await received
            #expect(request.hasPrefix("POST /v1/chat/completions HTTP/1.1\r\n"))
            #expect(request.lowercased().contains("authorization: bearer sk-wire\r\n"))
            #expect(request.contains(#""stream":true"#))
        }

        @Test func aStreamCutMidChunkIsMalformed() async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n"
            let chunk = String(event.utf8.count, radix: 16) + "\r\n" + event + "\r\n"
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk + "40\r\ndata: {\"cho"
            async let received = socket.answerOnce(answer)
            let provider = OpenAIChatProvider(baseURL: "http://127.0.0.1:\(socket.port)/v1", apiKey: nil, client: .shared)
            let error = await #expect(throws: ProviderFailure.self) {
                _ = try await provider.complete(ModelProviderWireTests.call([.user("hi")], stream: true))
            }
            _ = await received
            #expect(error == ProviderFailure(.malformed, message: "the stream ended before [DONE]"))
        }

        @Test func aClosedStreamWithoutMessageStopIsMalformed() async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let events = AnthropicMessages.toolStream.map { "event: \($0.0 ?? "message")\ndata: \($0.1)\n\n" }.joined()
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events
            async let received = socket.answerOnce(answer)
            let provider = AnthropicMessagesProvider(baseURL: "http://127.0.0.1:\(socket.port)", apiKey: "k", client: .shared)
            let error = await #expect(throws: ProviderFailure.self) {
                _ = try await provider.complete(ModelProviderWireTests.call([.user("hi")], stream: true))
            }
            _ = await received
            #expect(error == ProviderFailure(.malformed, message: "the stream ended before message_stop"))
        }

        @Test func aRateLimitedStreamCarriesRetryAfterAndARedactedMessage() async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let key = "sk-ant-echoed-key"
            let body = #"{"type":"error","error":{"type":"rate_limit_error","message":"Too many requests for key \#(key)"}}"#
            let answer = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 3\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            async let received = socket.answerOnce(answer)
            let provider = AnthropicMessagesProvider(baseURL: "http://127.0.0.1:\(socket.port)", apiKey: key, client: .shared)
            let error = await #expect(throws: ProviderFailure.self) {
                _ = try await provider.complete(ModelProviderWireTests.call([.user("hi")], stream: true))
            }
            let request = await received
            #expect(request.hasPrefix("POST /v1/messages HTTP/1.1\r\n"))
            #expect(request.lowercased().contains("x-api-key: \(key)\r\n"))
            #expect(error?.kind == .rateLimited)
            #expect(error?.retryAfter == .seconds(3))
            #expect(error?.message == "HTTP 429: Too many requests for key [redacted]")
        }

        @Test func aStreamAnsweredWithJSONIsParsedAsABufferedReply() async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let body = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"whole"},"finish_reason":"stop"}]}"#
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
            async let received = socket.answerOnce(answer)
            let provider = OpenAIChatProvider(baseURL: "http://127.0.0.1:\(socket.port)/v1", apiKey: nil, client: .shared)
            let result = try await provider.complete(ModelProviderWireTests.call([.user("hi")], stream: true))
            _ = await received
            #expect(result == ProviderResult(content: "whole", finishReason: "stop"))
        }

        @Test func aBufferedCallParsesTheReplyAndMapsAMalformedBody() async throws {
            let socket = try ProviderTestSocket(listening: true)
            defer { socket.close() }
            let body = #"{"type":"message","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":4,"output_tokens":1}}"#
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
            async let received = socket.answerOnce(answer)
            let provider = AnthropicMessagesProvider(baseURL: "http://127.0.0.1:\(socket.port)", apiKey: "k", client: .shared)
            let result = try await provider.complete(ModelProviderWireTests.call([.user("hi")]))
            _ = await received
            #expect(result == ProviderResult(content: "ok", finishReason: "end_turn", promptTokens: 4, completionTokens: 1))

            let broken = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello"
            async let again = socket.answerOnce(broken)
            let error = await #expect(throws: ProviderFailure.self) {
                _ = try await provider.complete(ModelProviderWireTests.call([.user("hi")]))
            }
            _ = await again
            #expect(error?.kind == .malformed)
        }
    }
}

/// A loopback TCP socket on an ephemeral port: bound but not listening (connecting is refused) or
/// listening (the kernel completes handshakes; nothing answers unless ``answerOnce(_:)`` is called).
private struct ProviderTestSocket {
    let fd: Int32
    let port: Int

    init(listening: Bool) throws {
        let (port, fd) = try LocalSockets.closedPort()
        guard !listening || listen(fd, 8) == 0 else {
            Glibc.close(fd)
            throw SocketError(call: "listen")
        }
        self.fd = fd
        self.port = port
    }

    func close() {
        _ = Glibc.close(fd)
    }

    /// Accepts one connection (waiting at most 10 s), reads the request (head and
    /// `Content-Length` body), writes `answer` as is and closes the connection. Returns the request
    /// text, or an empty string when no client came. Blocking calls run off the cooperative pool.
    func answerOnce(_ answer: String) async -> String {
        let fd = self.fd
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var limit = timeval(tv_sec: 10, tv_usec: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return continuation.resume(returning: "") }
                _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                var request = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !Self.isComplete(request) {
                    let count = read(client, &buffer, buffer.count)
                    if count <= 0 { break }
                    request += buffer[0..<count]
                }
                let bytes = Array(answer.utf8)
                var written = 0
                while written < bytes.count {
                    let count = bytes[written...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                    if count <= 0 { break }
                    written += count
                }
                _ = Glibc.close(client)
                continuation.resume(returning: String(decoding: request, as: UTF8.self))
            }
        }
    }

    /// Whether `request` holds a whole head and as many body bytes as its `Content-Length`.
    private static func isComplete(_ request: [UInt8]) -> Bool {
        let text = String(decoding: request, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n")
            .first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text[end.upperBound...].utf8.count >= length
    }

    /// A socket call that failed, with `errno`.
    struct SocketError: Error, CustomStringConvertible {
        let call: String
        let code = errno
        var description: String { "\(call) failed: errno \(code)" }
    }
}
