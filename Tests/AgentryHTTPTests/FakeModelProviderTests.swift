import AgentryHTTP
import AgentryTestSupport
import Foundation
import Synchronization
import Testing

extension LiveHTTPTests {
    /// The fake model provider answers in the OpenAI and Anthropic wire formats as scripted, seen through
    /// the project's own HTTP client.
    @Suite struct FakeModelProviderTests {
        typealias Behavior = FakeModelProvider.Behavior
        typealias ToolCall = FakeModelProvider.FakeToolCall

        // MARK: OpenAI

        @Test func openAIReplyCarriesContentAndUsage() async throws {
            try await withProvider { provider, client in
                provider.script("gpt-test", [.reply(content: "Hello there, world", promptTokens: 21, completionTokens: 5)])
                let response = try await client.execute(openAI(provider, model: "gpt-test", extra: #""temperature":0.2"#))
                #expect(response.status == 200)
                #expect(response.headers["Content-Type"] == "application/json")
                let body = try object(response.body)
                #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
                #expect(body["object"] as? String == "chat.completion")
                #expect(body["model"] as? String == "gpt-test")
                #expect(body["created"] is Int)
                let choice = try #require((body["choices"] as? [[String: Any]])?.first)
                #expect(choice["index"] as? Int == 0)
                #expect(choice["finish_reason"] as? String == "stop")
                let message = try #require(choice["message"] as? [String: Any])
                #expect(message["role"] as? String == "assistant")
                #expect(message["content"] as? String == "Hello there, world")
                #expect(message["tool_calls"] == nil)
                let usage = try #require(body["usage"] as? [String: Any])
                #expect(usage["prompt_tokens"] as? Int == 21)
                #expect(usage["completion_tokens"] as? Int == 5)
                #expect(usage["total_tokens"] as? Int == 26)

                let recorded = try #require(provider.requests.last)
                #expect(recorded.api == .openAI)
                #expect(recorded.model == "gpt-test")
                #expect(!recorded.stream)
                #expect(recorded.headers["authorization"] == "Bearer sk-test")
                #expect(recorded.json?["temperature"] as? Double == 0.2)
            }
        }

        @Test func defaultReplyEchoesTheLastUserMessageAndEstimatesUsage() async throws {
            try await withProvider { provider, client in
                // 4 + 5 + 60 characters of message text: 69 / 4 rounded up is 18 prompt tokens.
                let long = String(repeating: "abcdefghij", count: 6)
                let messages = #"[{"role":"system","content":"abcd"},{"role":"user","content":"hello"},"#
                    + #"{"role":"user","content":[{"type":"text","text":"\#(long)"}]}]"#
                let response = try await client.execute(openAI(provider, model: "echo-model", messages: messages))
                let body = try object(response.body)
                let choice = try #require((body["choices"] as? [[String: Any]])?.first)
                let content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
                #expect(content == "fake reply from echo-model: \(long.prefix(40))")
                let usage = try #require(body["usage"] as? [String: Any])
                #expect(usage["prompt_tokens"] as? Int == 18)
                #expect(usage["completion_tokens"] as? Int == (content.count + 3) / 4)
            }
        }

        @Test func openAIStreamAssemblesTheReplyAndEndsWithUsageAndDone() async throws {
            try await withProvider { provider, client in
                let reply: Behavior = .reply(content: "The quick brown fox jumps", promptTokens: 30, completionTokens: 6)
                provider.script("gpt-test", [reply])
                let request = openAI(
                    provider, model: "gpt-test", extra: #""stream":true,"stream_options":{"include_usage":true}"#)
                let response = try await client.stream(request)
                #expect(response.status == 200)
                #expect(response.headers["Content-Type"] == "text/event-stream")
                var data: [String] = []
                for try await event in response.body.serverSentEvents() { data.append(event.data) }
                #expect(data.last == "[DONE]")
                let chunks = try data.dropLast().map { try object(Data($0.utf8)) }
                #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
                #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)

                let first = try #require(delta(chunks[0]))
                #expect(first["role"] as? String == "assistant")
                #expect(first["content"] as? String == "")
                let pieces = chunks.compactMap { delta($0)?["content"] as? String }.filter { !$0.isEmpty }
                #expect(pieces.count >= 3)
                #expect(pieces.joined() == "The quick brown fox jumps")
                let finishReasons = chunks.compactMap { choice($0)?["finish_reason"] as? String }
                #expect(finishReasons == ["stop"])

                // Every chunk but the last carries "usage": null; the last has no choices and the usage.
                let usageChunk = try #require(chunks.last)
                #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
                let usage = try #require(usageChunk["usage"] as? [String: Any])
                #expect(usage["prompt_tokens"] as? Int == 30)
                #expect(usage["completion_tokens"] as? Int == 6)
                #expect(usage["total_tokens"] as? Int == 36)
                #expect(chunks.dropLast().allSatisfy { $0["usage"] is NSNull })
                #expect(provider.requests.last?.stream == true)
            }
        }

        @Test func openAIStreamWithoutIncludeUsageHasNoUsageChunk() async throws {
            try await withProvider { provider, client in
                let response = try await client.stream(openAI(provider, model: "gpt-test", extra: #""stream":true"#))
                var data: [String] = []
                for try await event in response.body.serverSentEvents() { data.append(event.data) }
                #expect(data.last == "[DONE]")
                let chunks = try data.dropLast().map { try object(Data($0.utf8)) }
                #expect(chunks.allSatisfy { $0["usage"] == nil })
                #expect(chunks.allSatisfy { ($0["choices"] as? [Any])?.count == 1 })
            }
        }

        @Test func usageIsOmittedWhenTokensAreNil() async throws {
            try await withProvider { provider, client in
                let reply: Behavior = .reply(content: "no usage", promptTokens: nil, completionTokens: nil)
                provider.setDefault("gpt-test", reply)
                provider.setDefault("claude-test", reply)

                let openAIBody = try object(try await client.execute(openAI(provider, model: "gpt-test")).body)
                #expect(openAIBody["usage"] == nil)
                let stream = try await client.stream(openAI(
                    provider, model: "gpt-test", extra: #""stream":true,"stream_options":{"include_usage":true}"#))
                var data: [String] = []
                for try await event in stream.body.serverSentEvents() { data.append(event.data) }
                #expect(data.last == "[DONE]")
                #expect(try data.dropLast().allSatisfy { (try object(Data($0.utf8))["choices"] as? [Any])?.count == 1 })

                let anthropicBody = try object(try await client.execute(anthropic(provider, model: "claude-test")).body)
                #expect(anthropicBody["usage"] == nil)
                let events = try await anthropicEvents(client, anthropic(provider, model: "claude-test", stream: true))
                #expect(events.allSatisfy { event in
                    event.payload["usage"] == nil && (event.payload["message"] as? [String: Any])?["usage"] == nil
                })
                #expect(events.last?.name == "message_stop")
            }
        }

        @Test func openAIToolCallsBufferedAndStreamed() async throws {
            try await withProvider { provider, client in
                let calls = [
                    ToolCall(id: "call_weather", name: "get_weather", argumentsJSON: #"{"city":"Paris","unit":"c"}"#),
                    ToolCall(name: "get_time", argumentsJSON: #"{"zone":"CET"}"#),
                ]
                provider.script(
                    "gpt-tools", [.reply(content: "", toolCalls: calls), .reply(content: "Checking.", toolCalls: calls)])
                let tools = #""tools":[{"type":"function","function":"#
                    + #"{"name":"get_weather","parameters":{"type":"object"}}}],"#
                    + #""tool_choice":"auto""#

                let buffered = try object(try await client.execute(openAI(provider, model: "gpt-tools", extra: tools)).body)
                let firstChoice = try #require((buffered["choices"] as? [[String: Any]])?.first)
                #expect(firstChoice["finish_reason"] as? String == "tool_calls")
                let message = try #require(firstChoice["message"] as? [String: Any])
                #expect(message["content"] is NSNull)
                let toolCalls = try #require(message["tool_calls"] as? [[String: Any]])
                #expect(toolCalls.count == 2)
                #expect(toolCalls[0]["id"] as? String == "call_weather")
                #expect(toolCalls[0]["type"] as? String == "function")
                #expect((toolCalls[0]["function"] as? [String: Any])?["name"] as? String == "get_weather")
                #expect((toolCalls[0]["function"] as? [String: Any])?["arguments"] as? String == calls[0].argumentsJSON)
                #expect((toolCalls[1]["id"] as? String)?.hasPrefix("call_") == true)

                let streamed = openAI(provider, model: "gpt-tools", extra: tools + #","stream":true"#)
                let stream = try await client.stream(streamed)
                var data: [String] = []
                for try await event in stream.body.serverSentEvents() { data.append(event.data) }
                #expect(data.last == "[DONE]")
                let chunks = try data.dropLast().map { try object(Data($0.utf8)) }
                #expect(chunks.compactMap { delta($0)?["content"] as? String }.joined() == "Checking.")
                let fragments = try toolCallFragments(chunks)
                let ids = fragments.mapValues(\.ids)
                let names = fragments.mapValues(\.names)
                let arguments = fragments.mapValues(\.arguments)
                #expect(ids[0] == ["call_weather"])
                #expect(names[0] == ["get_weather"])
                #expect(names[1] == ["get_time"])
                #expect(arguments[0]?.count == 2)
                #expect(arguments[0]?.joined() == calls[0].argumentsJSON)
                #expect(arguments[1]?.joined() == calls[1].argumentsJSON)
                #expect(chunks.compactMap { choice($0)?["finish_reason"] as? String } == ["tool_calls"])
            }
        }

        // MARK: Anthropic

        @Test func anthropicReplyCarriesContentAndUsage() async throws {
            try await withProvider { provider, client in
                provider.script("claude-test", [.reply(content: "Bonjour", promptTokens: 40, completionTokens: 3)])
                let response = try await client.execute(anthropic(provider, model: "claude-test"))
                #expect(response.status == 200)
                let body = try object(response.body)
                #expect((body["id"] as? String)?.hasPrefix("msg_") == true)
                #expect(body["type"] as? String == "message")
                #expect(body["role"] as? String == "assistant")
                #expect(body["model"] as? String == "claude-test")
                #expect(body["stop_reason"] as? String == "end_turn")
                #expect(body["stop_sequence"] is NSNull)
                let content = try #require(body["content"] as? [[String: Any]])
                #expect(content.count == 1)
                #expect(content[0]["type"] as? String == "text")
                #expect(content[0]["text"] as? String == "Bonjour")
                let usage = try #require(body["usage"] as? [String: Any])
                #expect(usage["input_tokens"] as? Int == 40)
                #expect(usage["output_tokens"] as? Int == 3)

                let recorded = try #require(provider.requests.last)
                #expect(recorded.api == .anthropic)
                #expect(recorded.anthropicVersion == "2023-06-01")
                #expect(recorded.headers["x-api-key"] == "sk-ant-test")
            }
        }

        @Test func anthropicStreamSendsTheDocumentedEventsInOrder() async throws {
            try await withProvider { provider, client in
                provider.script("claude-test", [.reply(content: "Once upon a time", promptTokens: 25, completionTokens: 4)])
                let response = try await client.stream(anthropic(provider, model: "claude-test", stream: true))
                #expect(response.headers["Content-Type"] == "text/event-stream")
                var events: [(name: String, payload: [String: Any])] = []
                for try await event in response.body.serverSentEvents() {
                    let payload = try object(Data(event.data.utf8))
                    #expect(payload["type"] as? String == event.event)
                    events.append((event.event, payload))
                }
                let names = events.map(\.name)
                let deltas = names.filter { $0 == "content_block_delta" }.count
                #expect(deltas >= 3)
                #expect(names == ["message_start", "content_block_start", "ping"]
                    + Array(repeating: "content_block_delta", count: deltas)
                    + ["content_block_stop", "message_delta", "message_stop"])

                let start = try #require(events[0].payload["message"] as? [String: Any])
                #expect(start["role"] as? String == "assistant")
                #expect((start["content"] as? [Any])?.isEmpty == true)
                let startUsage = try #require(start["usage"] as? [String: Any])
                #expect(startUsage["input_tokens"] as? Int == 25)
                #expect(startUsage["output_tokens"] as? Int == 1)
                #expect((events[1].payload["content_block"] as? [String: Any])?["type"] as? String == "text")
                let text = events.compactMap { event -> String? in
                    guard let delta = event.payload["delta"] as? [String: Any], delta["type"] as? String == "text_delta"
                    else { return nil }
                    return delta["text"] as? String
                }
                #expect(text.joined() == "Once upon a time")
                let messageDelta = try #require(events.first { $0.name == "message_delta" }?.payload)
                #expect((messageDelta["delta"] as? [String: Any])?["stop_reason"] as? String == "end_turn")
                #expect((messageDelta["usage"] as? [String: Any])?["output_tokens"] as? Int == 4)
            }
        }

        @Test func anthropicToolUseBufferedAndStreamed() async throws {
            try await withProvider { provider, client in
                let call = ToolCall(id: "toolu_lookup", name: "lookup", argumentsJSON: #"{"query":"fox","limit":3}"#)
                provider.script("claude-tools", [.reply(content: "Let me look.", toolCalls: [call])])
                provider.setDefault("claude-tools", .reply(content: "", toolCalls: [ToolCall(name: "lookup")]))
                let history = #"[{"role":"user","content":"find the fox"},"#
                    + #"{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}]},"#
                    + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"none"}]}]"#

                let request = anthropic(provider, model: "claude-tools", messages: history)
                let body = try object(try await client.execute(request).body)
                #expect(body["stop_reason"] as? String == "tool_use")
                let content = try #require(body["content"] as? [[String: Any]])
                #expect(content.map { $0["type"] as? String } == ["text", "tool_use"])
                #expect(content[1]["id"] as? String == "toolu_lookup")
                #expect(content[1]["name"] as? String == "lookup")
                let input = try #require(content[1]["input"] as? [String: Any])
                #expect(input["query"] as? String == "fox")
                #expect(input["limit"] as? Int == 3)

                let events = try await anthropicEvents(client, anthropic(provider, model: "claude-tools", stream: true))
                let start = try #require(events.first { $0.name == "content_block_start" }?.payload)
                let block = try #require(start["content_block"] as? [String: Any])
                #expect(block["type"] as? String == "tool_use")
                #expect((block["id"] as? String)?.hasPrefix("toolu_") == true)
                #expect(block["name"] as? String == "lookup")
                let partials = events.compactMap { event -> String? in
                    guard let delta = event.payload["delta"] as? [String: Any],
                        delta["type"] as? String == "input_json_delta"
                    else { return nil }
                    return delta["partial_json"] as? String
                }
                #expect(partials == ["{", "}"])
                let messageDelta = try #require(events.first { $0.name == "message_delta" }?.payload)
                #expect((messageDelta["delta"] as? [String: Any])?["stop_reason"] as? String == "tool_use")
                #expect(events.last?.name == "message_stop")
            }
        }

        // MARK: Failures

        @Test func scriptedStatusSendsTheProviderErrorAndRetryAfter() async throws {
            try await withProvider { provider, client in
                provider.script("gpt-test", [.status(429, message: "slow down", retryAfter: "7")])
                provider.script("claude-test", [.status(429, retryAfter: "3"), .status(529, message: "busy")])

                let openAIResponse = try await client.execute(openAI(provider, model: "gpt-test"))
                #expect(openAIResponse.status == 429)
                #expect(openAIResponse.headers["Retry-After"] == "7")
                let openAIError = try #require(try object(openAIResponse.body)["error"] as? [String: Any])
                #expect(openAIError["message"] as? String == "slow down")
                #expect(openAIError["type"] is String)
                #expect(openAIError["code"] as? String == "rate_limit_exceeded")

                let limited = try await client.execute(anthropic(provider, model: "claude-test"))
                #expect(limited.status == 429)
                #expect(limited.headers["Retry-After"] == "3")
                let limitedBody = try object(limited.body)
                #expect(limitedBody["type"] as? String == "error")
                let limitedError = try #require(limitedBody["error"] as? [String: Any])
                #expect(limitedError["type"] as? String == "rate_limit_error")
                #expect(limitedError["message"] as? String == "scripted failure")

                let overloaded = try await client.execute(anthropic(provider, model: "claude-test", stream: true))
                #expect(overloaded.status == 529)
                #expect(overloaded.headers["Retry-After"] == nil)
                let overloadedError = try #require(try object(overloaded.body)["error"] as? [String: Any])
                #expect(overloadedError["type"] as? String == "overloaded_error")
                #expect(overloadedError["message"] as? String == "busy")
            }
        }

        @Test func malformedBodiesAreNotTheWireFormat() async throws {
            try await withProvider { provider, client in
                provider.setDefault(.malformed)
                let buffered = try await client.execute(openAI(provider, model: "any"))
                #expect(buffered.status == 200)
                #expect((try? JSONSerialization.jsonObject(with: buffered.body)) == nil)

                let stream = try await client.stream(openAI(provider, model: "any", extra: #""stream":true"#))
                var data: [String] = []
                for try await event in stream.body.serverSentEvents() { data.append(event.data) }
                #expect(data.last == "[DONE]")
                #expect(data.dropLast().allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil })

                let anthropicBuffered = try await client.execute(anthropic(provider, model: "any"))
                #expect(anthropicBuffered.status == 200)
                #expect((try? JSONSerialization.jsonObject(with: anthropicBuffered.body)) == nil)
            }
        }

        @Test func cutStreamEndsWithoutTheEndMarker() async throws {
            try await withProvider { provider, client in
                provider.script("gpt-test", [.cutStream(afterEvents: 2), .cutStream(afterEvents: 1)])
                provider.script("claude-test", [.cutStream(afterEvents: 3)])

                let stream = try await client.stream(openAI(provider, model: "gpt-test", extra: #""stream":true"#))
                var data: [String] = []
                let failure = await httpError {
                    for try await event in stream.body.serverSentEvents() { data.append(event.data) }
                }
                #expect(failure != nil)
                #expect(data.count == 2)
                #expect(!data.contains("[DONE]"))

                let buffered = await httpError { _ = try await client.execute(openAI(provider, model: "gpt-test")) }
                #expect(buffered != nil)

                var names: [String] = []
                let anthropicFailure = await httpError {
                    let response = try await client.stream(anthropic(provider, model: "claude-test", stream: true))
                    for try await event in response.body.serverSentEvents() { names.append(event.event) }
                }
                #expect(anthropicFailure != nil)
                #expect(names == ["message_start", "content_block_start", "ping"])
            }
        }

        @Test func stalledStreamHoldsUntilTheClientLeaves() async throws {
            try await withProvider { provider, client in
                provider.script("claude-test", [.stall(afterEvents: 2)])
                let received = Counter()
                let consumer = Task {
                    let response = try await client.stream(anthropic(provider, model: "claude-test", stream: true))
                    for try await _ in response.body.serverSentEvents() { received.increment() }
                }
                try await eventually("two events received and the rest held", timeout: .seconds(30)) {
                    received.value == 2 && provider.heldRequests == 1
                }
                consumer.cancel()
                _ = await consumer.result
                try await eventually("the hold ends when the client leaves", timeout: .seconds(30)) {
                    provider.heldRequests == 0
                }
                #expect(received.value == 2)
            }
        }

        @Test func hangDoesNotBlockOtherRequests() async throws {
            try await withProvider { provider, client in
                provider.script("slow", [.hang, .hang])
                let abandoned = Task { try await client.execute(openAI(provider, model: "slow")) }
                let released = Task { try await client.execute(anthropic(provider, model: "slow")) }
                try await eventually("both requests held", timeout: .seconds(30)) { provider.heldRequests == 2 }

                // Other requests are answered while two are held.
                let answered = try await client.execute(openAI(provider, model: "fast"))
                #expect(answered.status == 200)
                #expect(provider.heldRequests == 2)

                // A client giving up releases the server's side of the request.
                abandoned.cancel()
                #expect(await httpError { _ = try await abandoned.value }?.code == .cancelled)
                try await eventually("the abandoned request is released", timeout: .seconds(30)) {
                    provider.heldRequests == 1
                }

                // Stopping the server ends the other one; its client sees the connection close.
                await provider.stop()
                #expect(await httpError { _ = try await released.value } != nil)
                #expect(provider.heldRequests == 0)
            }
        }

        @Test func delayedAnswersAfterTheDelay() async throws {
            try await withProvider { provider, client in
                provider.script("gpt-test", [.delayed(.milliseconds(300), then: .reply(content: "late"))])
                let clock = ContinuousClock()
                let started = clock.now
                let response = try await client.execute(openAI(provider, model: "gpt-test"))
                #expect(clock.now - started >= .milliseconds(300))
                let choice = try #require((try object(response.body)["choices"] as? [[String: Any]])?.first)
                #expect((choice["message"] as? [String: Any])?["content"] as? String == "late")
            }
        }

        @Test func requireKeyRejectsMissingOrWrongCredentials() async throws {
            try await withProvider { provider, client in
                provider.requireKey("sk-right")
                provider.script("gpt-test", [.reply(content: "authorised")])

                let missing = try await client.execute(openAI(provider, model: "gpt-test", key: nil))
                #expect(missing.status == 401)
                let missingError = try #require(try object(missing.body)["error"] as? [String: Any])
                #expect(missingError["code"] as? String == "invalid_api_key")
                #expect(missingError["message"] is String)
                #expect(try await client.execute(openAI(provider, model: "gpt-test", key: "sk-wrong")).status == 401)
                let allowed = try await client.execute(openAI(provider, model: "gpt-test", key: "sk-right"))
                #expect(allowed.status == 200)
                #expect(allowed.bodyText.contains("authorised"))

                let wrong = try await client.execute(anthropic(provider, model: "claude-test", key: "sk-wrong"))
                #expect(wrong.status == 401)
                let wrongBody = try object(wrong.body)
                #expect(wrongBody["type"] as? String == "error")
                #expect((wrongBody["error"] as? [String: Any])?["type"] as? String == "authentication_error")
                let unversioned = try await client.execute(
                    anthropic(provider, model: "claude-test", key: "sk-right", version: nil))
                #expect(unversioned.status == 400)
                #expect(try await client.execute(anthropic(provider, model: "claude-test", key: "sk-right")).status == 200)

                provider.requireKey(nil)
                #expect(try await client.execute(openAI(provider, model: "gpt-test", key: nil)).status == 200)
                // Rejected requests are counted but took nothing from the script.
                #expect(provider.requestCount("gpt-test") == 4)
            }
        }

        @Test func invalidRequestsGetTheProviderError() async throws {
            try await withProvider { provider, client in
                provider.script("claude-test", [.reply(content: "kept for the valid request")])
                var noMaxTokens = anthropic(provider, model: "claude-test")
                noMaxTokens.body = Data(#"{"model":"claude-test","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                let rejected = try await client.execute(noMaxTokens)
                #expect(rejected.status == 400)
                #expect(try errorType(rejected.body) == "invalid_request_error")

                var notJSON = openAI(provider, model: "gpt-test")
                notJSON.body = Data("model=gpt-test".utf8)
                let unparsable = try await client.execute(notJSON)
                #expect(unparsable.status == 400)
                #expect(try errorType(unparsable.body) == "invalid_request_error")

                let valid = try await client.execute(anthropic(provider, model: "claude-test"))
                #expect(valid.bodyText.contains("kept for the valid request"))
            }
        }

        @Test func scriptsRunInOrderThenTheDefaultApplies() async throws {
            try await withProvider(recordLimit: 3) { provider, client in
                provider.script("gpt-test", [.status(500), .reply(content: "second")])
                provider.setDefault(.status(503))
                provider.setDefault("gpt-test", .reply(content: "model default"))

                var statuses: [Int] = []
                var bodies: [String] = []
                for _ in 0..<4 {
                    let response = try await client.execute(openAI(provider, model: "gpt-test"))
                    statuses.append(response.status)
                    bodies.append(response.bodyText)
                }
                #expect(statuses == [500, 200, 200, 200])
                #expect(bodies[1].contains("second"))
                #expect(bodies[2].contains("model default") && bodies[3].contains("model default"))
                #expect(try await client.execute(openAI(provider, model: "other")).status == 503)

                // Five requests counted, the last three recorded, oldest first.
                #expect(provider.requestCount("gpt-test") == 4)
                #expect(provider.requestCount("other") == 1)
                #expect(provider.totalRequestCount == 5)
                #expect(provider.requests.map(\.sequence) == [3, 4, 5])
                #expect(provider.requests.map(\.model) == ["gpt-test", "gpt-test", "other"])
            }
        }

        @Test func manyConcurrentRequestsAreAllAnswered() async throws {
            try await withProvider(recordLimit: 10) { provider, client in
                let count = 200
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let model = index.isMultiple(of: 2) ? "gpt-test" : "claude-test"
                            let request = index.isMultiple(of: 2)
                                ? openAI(provider, model: model) : anthropic(provider, model: model)
                            return try await client.execute(request).status
                        }
                    }
                    var ok = 0
                    for try await status in group where status == 200 { ok += 1 }
                    #expect(ok == count)
                }
                #expect(provider.totalRequestCount == count)
                #expect(provider.requestCount("gpt-test") == count / 2)
                #expect(provider.requests.count == 10)
            }
        }
    }
}

// MARK: - Helpers

/// Runs `body` with a started provider and a fresh client, stopping both afterwards, within a deadline.
private func withProvider(
    recordLimit: Int = 1_000,
    _ body: @escaping @Sendable (FakeModelProvider, HTTPClient) async throws -> Void
) async throws {
    let provider = try await FakeModelProvider.start(recordLimit: recordLimit)
    let client = HTTPClient()
    do {
        try await withDeadline { try await body(provider, client) }
    } catch {
        await client.shutdown()
        await provider.stop()
        throw error
    }
    await client.shutdown()
    await provider.stop()
}

/// A chat completions request with one user message.
private func openAI(
    _ provider: FakeModelProvider, model: String, messages: String = #"[{"role":"user","content":"Say hello"}]"#,
    extra: String? = nil, key: String? = "sk-test"
) -> HTTPRequest {
    var request = HTTPRequest(url: provider.openAIBaseURL + "/chat/completions", method: .post)
    request.headers.add(name: "Content-Type", value: "application/json")
    if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
    let fields = #""model":"\#(model)","max_completion_tokens":64,"messages":\#(messages)"#
    request.body = Data("{\(fields)\(extra.map { ",\($0)" } ?? "")}".utf8)
    return request
}

/// A Messages API request with a system prompt and one user message.
private func anthropic(
    _ provider: FakeModelProvider, model: String, messages: String = #"[{"role":"user","content":"Say hello"}]"#,
    stream: Bool = false, key: String? = "sk-ant-test", version: String? = "2023-06-01"
) -> HTTPRequest {
    var request = HTTPRequest(url: provider.anthropicBaseURL + "/v1/messages", method: .post)
    request.headers.add(name: "Content-Type", value: "application/json")
    if let key { request.headers.add(name: "x-api-key", value: key) }
    if let version { request.headers.add(name: "anthropic-version", value: version) }
    let body = #"{"model":"\#(model)","max_tokens":64,"system":[{"type":"text","text":"Be brief."}],"#
        + #""messages":\#(messages),"stream":\#(stream)}"#
    request.body = Data(body.utf8)
    return request
}

/// The named events of a streamed Messages response, payloads parsed.
private func anthropicEvents(
    _ client: HTTPClient, _ request: HTTPRequest
) async throws -> [(name: String, payload: [String: Any])] {
    let response = try await client.stream(request)
    var events: [(name: String, payload: [String: Any])] = []
    for try await event in response.body.serverSentEvents() {
        events.append((event.event, try object(Data(event.data.utf8))))
    }
    return events
}

/// `data` parsed as a JSON object.
private func object(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The pieces of streamed tool calls, by tool call index.
private struct ToolCallFragments {
    var ids: [String] = []
    var names: [String] = []
    var arguments: [String] = []
}

/// Collects the `delta.tool_calls` pieces of chat completion chunks by index.
private func toolCallFragments(_ chunks: [[String: Any]]) throws -> [Int: ToolCallFragments] {
    var fragments: [Int: ToolCallFragments] = [:]
    for chunk in chunks {
        let calls = delta(chunk)?["tool_calls"] as? [[String: Any]] ?? []
        for call in calls {
            let index = try #require(call["index"] as? Int)
            let function = call["function"] as? [String: Any]
            if let id = call["id"] as? String { fragments[index, default: .init()].ids.append(id) }
            if let name = function?["name"] as? String { fragments[index, default: .init()].names.append(name) }
            if let part = function?["arguments"] as? String { fragments[index, default: .init()].arguments.append(part) }
        }
    }
    return fragments
}

/// The `error.type` of an error body (the same path in both formats).
private func errorType(_ data: Data) throws -> String? {
    (try object(data)["error"] as? [String: Any])?["type"] as? String
}

/// The first choice of a chat completion chunk.
private func choice(_ chunk: [String: Any]) -> [String: Any]? {
    (chunk["choices"] as? [[String: Any]])?.first
}

/// The delta of a chat completion chunk's first choice.
private func delta(_ chunk: [String: Any]) -> [String: Any]? {
    choice(chunk)?["delta"] as? [String: Any]
}

/// A thread-safe count for observing a stream from another task.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
