import AgentryContracts
import AgentryTestSupport
import Foundation
import Testing

@testable import AgentryModelGateway

/// The gateway's routing against a fake provider speaking the OpenAI and Anthropic wire formats:
/// fail-over order, the context-window skip, retries counted across fail-over, Retry-After,
/// timeouts, malformed and cut streams, circuit breakers, token and cost figures, structured
/// output re-asks, and that no key reaches a log line or a reply.
@Suite struct ModelRouterTests {
    typealias F = ModelGatewayFixture

    @Test func failsOverInChainOrderAndSaysWhatWasTried() async throws {
        try await F.with { f in
            f.fake.setDefault("m-500", .status(500, message: "internal error"))
            f.fake.script("m-429", [.status(429, message: "slow down", retryAfter: "30")])
            f.fake.script("m-ok", [.reply(content: "the answer", promptTokens: 1000, completionTokens: 500)])
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "m-500")), \#(F.entry("an", "m-429")), \#(F.entry("oa", "m-ok"))]}"#)
            let reply = try await router.serve(F.request(), caller: F.caller())
            #expect(reply.error == nil)
            #expect(reply.content == "the answer")
            #expect(reply.entry == "oa/m-ok")
            #expect(reply.tried == ["oa/m-500", "an/m-429", "oa/m-ok"])
            #expect(reply.attempts.map(\.outcome) == [.failed, .failed, .ok])
            #expect(reply.attempts[0].detail?.hasPrefix("http_500") == true)
            #expect(reply.attempts[1].detail?.hasPrefix("rate_limited") == true)
            // 1000 prompt tokens at $2/M and 500 completion tokens at $8/M.
            #expect(reply.promptTokens == 1000 && reply.completionTokens == 500)
            #expect(abs(reply.costUSD - 0.006) < 1e-12)
            // The 429's Retry-After keeps the entry out of the next request's way.
            f.fake.script("m-ok", [.reply(content: "again")])
            let next = try await router.serve(F.request("next"), caller: F.caller())
            #expect(next.entry == "oa/m-ok")
            #expect(f.fake.requestCount("m-429") == 1)
            #expect(next.attempts.contains { $0.entry == "an/m-429" && $0.outcome == .skippedRateLimited })
        }
    }

    @Test func anEntryWhoseContextWindowCannotHoldThePromptIsSkippedNotTried() async throws {
        try await F.with { f in
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "small", window: 300)), \#(F.entry("an", "large", window: 200_000))]}"#)
            let long = String(repeating: "incident report line ", count: 100)  // ~525 tokens
            let reply = try await router.serve(F.request(long), caller: F.caller())
            #expect(reply.error == nil)
            #expect(reply.entry == "an/large")
            #expect(reply.tried == ["an/large"])
            #expect(reply.attempts.first?.outcome == .skippedContextWindow)
            #expect(f.fake.requestCount("small") == 0)
            #expect(f.fake.requestCount("large") == 1)

            let tooBig = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "small", window: 300))]}"#)
            let refused = try await tooBig.serve(F.request(long), caller: F.caller())
            #expect(refused.error?.code == .invalidRequest)
            #expect(refused.error?.message.contains("context window") == true)
            #expect(f.fake.requestCount("small") == 0)
        }
    }

    @Test func theCallCountSurvivesFailOverAndRounds() async throws {
        try await F.with { f in
            f.fake.setDefault("down-a", .status(503, message: "overloaded"))
            f.fake.setDefault("down-b", .status(502, message: "bad gateway"))
            let router = try f.router(
                aliases: #"{"chat": [\#(F.entry("oa", "down-a")), \#(F.entry("an", "down-b"))]}"#, extra: #""maxAttempts": 3"#)
            let reply = try await router.serve(F.request(), caller: F.caller())
            #expect(reply.error?.code == .unavailable)
            #expect(f.fake.requestCount("down-a") + f.fake.requestCount("down-b") == 3)
            #expect(reply.tried == ["oa/down-a", "an/down-b", "oa/down-a"])
            #expect(reply.error?.message.contains("chat") == true)
        }
    }

    @Test func aRetryAfterIsWaitedForWhenTheChainHasNothingElse() async throws {
        try await F.with { f in
            f.fake.script("busy", [.status(429, message: "rate limited", retryAfter: "1"), .reply(content: "later")])
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "busy"))]}"#)
            let started = ContinuousClock.now
            let reply = try await router.serve(F.request(), caller: F.caller())
            #expect(reply.error == nil)
            #expect(reply.content == "later")
            #expect(started.duration(to: .now) >= .seconds(1))
            #expect(f.fake.requestCount("busy") == 2)
            #expect(reply.tried == ["oa/busy"])
            #expect(reply.attempts.map(\.outcome).first == .failed)
        }
    }

    @Test func timeoutsMalformedBodiesAndCutStreamsFailOver() async throws {
        try await F.with { f in
            f.fake.setDefault("hangs", .hang)
            f.fake.setDefault("garbled", .malformed)
            f.fake.setDefault("cut-oa", .cutStream(afterEvents: 2))
            f.fake.setDefault("cut-an", .cutStream(afterEvents: 3))
            f.fake.setDefault("fine", .reply(content: "survived"))
            let aliases = #"{"chat": [\#(F.entry("oa", "hangs", #""timeoutSeconds": 0.5, "stream": false"#)), "#
                + #"\#(F.entry("an", "garbled", #""stream": false"#)), \#(F.entry("oa", "cut-oa")), "#
                + #"\#(F.entry("an", "cut-an")), \#(F.entry("an", "fine"))]}"#
            let router = try f.router(aliases: aliases, extra: #""maxAttempts": 5"#)
            let reply = try await router.serve(F.request(), caller: F.caller())
            #expect(reply.error == nil)
            #expect(reply.content == "survived")
            #expect(reply.tried == ["oa/hangs", "an/garbled", "oa/cut-oa", "an/cut-an", "an/fine"])
            let details = reply.attempts.compactMap(\.detail)
            #expect(details.count == 4)
            #expect(details[0].hasPrefix("timeout"))
            #expect(details[1].hasPrefix("malformed"))
            #expect(details[2].hasPrefix("malformed"))
            #expect(details[3].hasPrefix("malformed"))
        }
    }

    @Test(arguments: [false, true])
    func bothWireFormatsAnswerWithToolCallsAndUsage(stream: Bool) async throws {
        try await F.with { f in
            let calls = [FakeModelProvider.FakeToolCall(id: "call_1", name: "lookup_incident", argumentsJSON: #"{"id":"INC-42"}"#)]
            for model in ["tools-oa", "tools-an"] {
                f.fake.script(model, [.reply(content: "", toolCalls: calls, promptTokens: 40, completionTokens: 9)])
            }
            let tools = [ToolDefinition(name: "lookup_incident", description: "Find an incident",
                                        parameters: ["type": "object", "properties": ["id": ["type": "string"]], "required": ["id"]])]
            for (provider, model) in [("oa", "tools-oa"), ("an", "tools-an")] {
                let router = try f.router(aliases: #"{"chat": [\#(F.entry(provider, model, #""stream": \#(stream)"#))]}"#)
                var request = F.request("What is INC-42?")
                request.tools = tools
                request.toolChoice = .auto
                let reply = try await router.serve(request, caller: F.caller())
                #expect(reply.error == nil, "\(provider)")
                #expect(reply.toolCalls.count == 1)
                #expect(reply.toolCalls.first?.name == "lookup_incident")
                #expect(JSONSchemaValidator.parseJSON(reply.toolCalls.first?.arguments ?? "") == ["id": "INC-42"])
                #expect(reply.promptTokens == 40 && reply.completionTokens == 9)
                #expect(abs(reply.costUSD - (40 * 2 + 9 * 8) / 1_000_000) < 1e-12)
            }
            #expect(f.fake.requests.allSatisfy { $0.stream == stream })
        }
    }

    @Test func tokensAreEstimatedWhenTheProviderSendsNoUsage() async throws {
        try await F.with { f in
            f.fake.script("quiet", [.reply(content: "twelve chars", promptTokens: nil, completionTokens: nil)])
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "quiet", #""stream": false"#))]}"#)
            let request = F.request()
            let reply = try await router.serve(request, caller: F.caller())
            #expect(reply.error == nil)
            #expect(reply.promptTokens == RequestDigest.estimatedPromptTokens(for: request))
            #expect(reply.completionTokens == 3)
            #expect(reply.costUSD > 0)
        }
    }

    @Test func theBreakerOpensAfterFiveFailuresProbesOnceAndCloses() async throws {
        try await F.with { f in
            f.fake.setDefault("flaky", .status(500))
            f.fake.setDefault("backup", .reply(content: "backup"))
            let router = try f.router(
                aliases: #"{"chat": [\#(F.entry("oa", "flaky")), \#(F.entry("oa", "backup"))]}"#,
                extra: #""breaker": {"failureThreshold": 5, "coolDownSeconds": 3}"#)
            // Cool-down and the slow probe are seconds long: a loaded machine must not let either run
            // out between the steps that look at the open circuit.
            let breaker = try #require(router.breaker("oa/flaky"))
            for _ in 1...5 {
                #expect(try await router.serve(F.request(), caller: F.caller()).entry == "oa/backup")
            }
            #expect(f.fake.requestCount("flaky") == 5)
            guard case .open = breaker.current else { Issue.record("breaker not open: \(breaker.current)"); return }
            // Open: passed over without a call.
            let skipped = try await router.serve(F.request(), caller: F.caller())
            #expect(skipped.attempts.first?.outcome == .skippedCircuitOpen)
            #expect(f.fake.requestCount("flaky") == 5)
            // After the cool-down one probe goes through; it fails, so the circuit opens again.
            try await eventually("half-open") { breaker.current == .halfOpen(probeInFlight: false) }
            _ = try await router.serve(F.request(), caller: F.caller())
            #expect(f.fake.requestCount("flaky") == 6)
            guard case .open = breaker.current else { Issue.record("a failed probe must reopen"); return }
            // The next probe is slow and succeeds: a concurrent request does not probe too.
            try await eventually("half-open again") { breaker.current == .halfOpen(probeInFlight: false) }
            f.fake.script("flaky", [.delayed(.seconds(5), then: .reply(content: "recovered"))])
            async let probe = router.serve(F.request("probe"), caller: F.caller())
            try await eventually("probe in flight") { breaker.current == .halfOpen(probeInFlight: true) }
            let during = try await router.serve(F.request("during"), caller: F.caller())
            #expect(during.entry == "oa/backup")
            #expect(during.attempts.first?.outcome == .skippedCircuitOpen)
            #expect(try await probe.entry == "oa/flaky")
            #expect(breaker.current == .closed(consecutiveFailures: 0))
            #expect(f.fake.requestCount("flaky") == 7)
        }
    }

    @Test func aJSONReplyIsValidatedAndReAskedOnce() async throws {
        try await F.with { f in
            let schema: JSONValue = ["type": "object", "required": ["severity"],
                                     "properties": ["severity": ["type": "string", "enum": ["low", "high"]]]]
            f.fake.script("json", [
                .reply(content: "Sure! Here it is: {\"severity\": \"medium\"}", promptTokens: 50, completionTokens: 10),
                .reply(content: "```json\n{\"severity\": \"high\"}\n```", promptTokens: 70, completionTokens: 8),
            ])
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("an", "json"))]}"#)
            var request = F.request("Rate INC-42")
            request.responseFormat = .jsonSchema(name: "rating", schema: schema)
            let reply = try await router.serve(request, caller: F.caller())
            #expect(reply.error == nil)
            #expect(reply.content == #"{"severity":"high"}"#)
            #expect(reply.promptTokens == 120 && reply.completionTokens == 18)
            #expect(f.fake.requestCount("json") == 2)
            let reask = try #require(f.fake.requests.last?.json)
            let messages = try #require(reask["messages"] as? [[String: Any]])
            #expect(messages.count == 3)

            f.fake.script("json", [.reply(content: "no"), .reply(content: "{\"severity\": 3}")])
            let refused = try await router.serve(request, caller: F.caller())
            #expect(refused.error?.code == .providerError)
            #expect(refused.error?.message.contains("/severity") == true)
            #expect(refused.content.isEmpty)
        }
    }

    @Test func cheapestCapableEntryServesARequestWithAComplexity() async throws {
        try await F.with { f in
            let aliases = #"{"chat": [\#(F.entry("oa", "big", input: 10, output: 30, #""capability": "high""#)), "#
                + #"\#(F.entry("oa", "mid", input: 1, output: 4, #""capability": "medium""#)), "#
                + #"\#(F.entry("oa", "tiny", input: 0.1, output: 0.4, #""capability": "low""#))]}"#
            let router = try f.router(aliases: aliases)
            var request = F.request()
            request.complexity = .medium
            #expect(try await router.serve(request, caller: F.caller()).entry == "oa/mid")
            request.complexity = .low
            #expect(try await router.serve(request, caller: F.caller()).entry == "oa/tiny")
            request.complexity = .high
            #expect(try await router.serve(request, caller: F.caller()).entry == "oa/big")
            request.complexity = nil
            #expect(try await router.serve(request, caller: F.caller()).entry == "oa/big")
            // Fail-over from the cheapest capable goes to the next cheapest capable, never below.
            f.fake.setDefault("mid", .status(500))
            request.complexity = .medium
            let reply = try await router.serve(request, caller: F.caller())
            #expect(reply.tried == ["oa/mid", "oa/big"])
        }
    }

    @Test func noKeyReachesALogLineOrAReply() async throws {
        try await F.with { f in
            f.fake.script("leaky-oa", [.status(401, message: "Incorrect API key provided: \(F.openAIKey).")])
            f.fake.script("leaky-an", [.status(500, message: "invalid x-api-key \(F.anthropicKey)")])
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "leaky-oa")), \#(F.entry("an", "leaky-an")), \#(F.entry("oa", "ok"))]}"#)
            let reply = try await router.serve(F.request(), caller: F.caller())
            #expect(reply.entry == "oa/ok")
            // The keys were sent to the provider...
            let sent = f.fake.requests
            #expect(sent.contains { $0.headers["authorization"] == "Bearer \(F.openAIKey)" })
            #expect(sent.contains { $0.headers["x-api-key"] == F.anthropicKey })
            // ...and appear nowhere else.
            let envelope = Envelope(tenant: "acme", payload: .modelReply(reply))
            let wire = String(decoding: try EnvelopeCodec().encode(envelope), as: UTF8.self)
            let logs = f.logs.all.joined(separator: "\n")
            #expect(!logs.isEmpty)
            for key in [F.openAIKey, F.anthropicKey] {
                #expect(!wire.contains(key))
                #expect(!logs.contains(key))
                #expect(!"\(router.configuration)".contains(key))
            }
            #expect(wire.contains("[redacted]"))
        }
    }

    @Test func theRateLimitQueuesWithinTheDeadlineAndPassesOverBeyondIt() async throws {
        // Two a minute: once both are spent, the next call may go only half a minute after the start.
        let created = ContinuousClock.now
        let slow = RateLimiter(requestsPerMinute: 2, tokensPerMinute: nil, now: created)
        #expect(try await slow.acquire(estimatedTokens: 0, deadline: created + .seconds(60)))
        #expect(try await slow.acquire(estimatedTokens: 0, deadline: created + .seconds(60)))
        #expect(try await slow.acquire(estimatedTokens: 0, deadline: created + .seconds(20)) == false)

        // 120 a minute: the 121st call waits for its slot, half a second after the start, and goes.
        let limiter = RateLimiter(requestsPerMinute: 120, tokensPerMinute: nil, now: created)
        for _ in 0..<120 { #expect(try await limiter.acquire(estimatedTokens: 0, deadline: created + .seconds(60))) }
        #expect(try await limiter.acquire(estimatedTokens: 0, deadline: created + .seconds(60)))
        #expect(ContinuousClock.now >= created + .milliseconds(500))

        let tokens = RateLimiter(requestsPerMinute: nil, tokensPerMinute: 600)
        #expect(try await tokens.acquire(estimatedTokens: 600, deadline: .now + .seconds(1)))
        #expect(try await tokens.acquire(estimatedTokens: 100, deadline: .now + .seconds(1)) == false)
        await tokens.settle(estimatedTokens: 600, actualTokens: 100)  // 500 came back
        #expect(try await tokens.acquire(estimatedTokens: 400, deadline: .now + .milliseconds(100)))
    }

    @Test func theOfflinePlannerIsALastResortWhoseRefusalDoesNotHideAnOutage() async throws {
        try await F.with { f in
            f.fake.setDefault("down", .status(503))
            let router = try f.router(aliases: #"{"planner": [\#(F.entry("oa", "down", #""capability": "low""#)), "#
                + #"{"provider": "offline", "model": "planner"}]}"#, extra: #""maxAttempts": 2"#)
            // Cheapest-first routing keeps the free offline planner last.
            var request = ModelRequest(alias: "planner", messages: [.user("open https://example.com")], complexity: .low)
            let planned = try await router.serve(request, caller: F.caller())
            #expect(planned.entry == "offline/planner")
            #expect(planned.tried == ["oa/down", "offline/planner"])
            // A request the planner cannot read, after the provider failed: the outage is reported.
            request.messages = [.user("book me a flight to Lisbon")]
            let refused = try await router.serve(request, caller: F.caller())
            #expect(refused.error?.code == .unavailable)
            #expect(refused.tried == ["oa/down", "offline/planner"])
        }
    }

    @Test func aRequestAProviderRejectsIsNotSentToItAgain() async throws {
        try await F.with { f in
            f.fake.setDefault("picky", .status(400, message: "invalid 'messages'"))
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "picky"))]}"#, extra: #""maxAttempts": 4"#)
            let reply = try await router.serve(F.request(), caller: F.caller())
            #expect(reply.error?.code == .providerError)
            #expect(reply.error?.message.contains("invalid 'messages'") == true)
            #expect(f.fake.requestCount("picky") == 1)
            #expect(router.breaker("oa/picky")?.current == .closed(consecutiveFailures: 0))
        }
    }

    @Test func aTimeoutCutShortByTheRequestsOwnDeadlineDoesNotCountAgainstTheEntry() async throws {
        try await F.with { f in
            f.fake.setDefault("slow", .delayed(.seconds(30), then: .echo))
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "slow", #""timeoutSeconds": 60"#))]}"#,
                                      extra: #""breaker": {"failureThreshold": 1}"#)
            var request = F.request()
            request.timeoutSeconds = 2  // room for the call to start on a loaded machine
            let reply = try await router.serve(request, caller: F.caller())
            #expect(reply.error?.code == .unavailable)
            #expect(reply.attempts.first?.detail?.hasPrefix("timeout") == true)
            #expect(router.breaker("oa/slow")?.current == .closed(consecutiveFailures: 0))
        }
    }

    @Test func badConfigurationIsRefusedWithTheField() throws {
        let cases: [(String, String)] = [
            (#"{"aliases": {"chat": [{"provider": "nobody", "model": "m", "contextWindow": 10}]}}"#, "no provider is named"),
            (#"{"providers": [{"name": "p", "kind": "openai"}], "aliases": {"chat": [{"provider": "p", "model": "m"}]}}"#, "contextWindow"),
            (#"{"providers": [{"name": "p", "kind": "openai", "apiKeyEnv": "MISSING_KEY"}]}"#, "MISSING_KEY"),
            (#"{"providers": [{"name": "p", "kind": "gemini"}]}"#, "providers"),
            (#"{"aliases": {"chat": []}}"#, "no entries"),
            (#"{"maxAttempts": 0}"#, "maxAttempts"),
            (#"{"budgets": {"runUSD": -1}}"#, "runUSD"),
            ("not json", "document"),
            (#"{"providers": [{"name": "p", "kind": "openai"}], "aliases": {"Chat": [{"provider": "p", "model": "m", "contextWindow": 9}], "chat": [{"provider": "p", "model": "n", "contextWindow": 9}]}}"#, "twice"),
        ]
        for (json, expected) in cases {
            do {
                _ = try GatewayConfiguration.parse(Data(json.utf8)) { _ in nil }
                Issue.record("accepted: \(json)")
            } catch {
                #expect("\(error)".contains(expected), "\(json) → \(error)")
            }
        }
        #expect(try GatewayConfiguration.load(environment: [:]) == .offlineOnly)
    }
}
