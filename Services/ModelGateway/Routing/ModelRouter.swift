import AgentryContracts
import AgentryRuntime
import Foundation
import Logging
import Metrics
import Synchronization

/// Routes one ``ModelRequest`` to the entries of its alias and produces the ``ModelReply``.
///
/// In order: the request is checked; the cache is asked (unless the request opts out); the
/// alias's chain is ordered (cheapest capable entry first when the request has a complexity);
/// then entries are tried one after another. An entry is passed over when the prompt does not fit
/// its context window, when the call would exceed a budget, while a `Retry-After` it sent has not
/// elapsed, while its circuit is open, or when its rate limit cannot admit the call before the
/// deadline. A connection error, timeout, 5xx, 429 or malformed answer fails over to the next
/// entry. The number of calls (`maxAttempts`) counts across fail-over and rounds: when the chain
/// is exhausted and calls and time are left, another round starts after a jittered back-off.
/// Fail-over never leaves the alias's chain.
///
/// A JSON reply is validated (against the schema when one was given); an invalid one is re-asked
/// once on the same entry with the violations, then refused.
final class ModelRouter: Sendable {
    /// Who a request is for, from its envelope.
    struct Caller: Sendable, Equatable {
        var requestId: UUID
        var tenant: String
        var runId: UUID?
        var stepId: String?
    }

    /// Purposes the offline planner serves when the alias is not configured.
    static let planPurposes: Set<String> = ["plan", "planner", "replan"]

    let configuration: GatewayConfiguration
    private let providers: [String: any ModelProvider]
    private let planner: OfflinePlanner
    private let store: GatewayStore?
    private let breakers: [String: CircuitBreaker]
    private let limiters: [String: RateLimiter]
    private let retryAfter = Mutex<[String: ContinuousClock.Instant]>([:])
    let budgets = BudgetGuard()
    private let logger: Logger

    /// - Parameters:
    ///   - providers: an adapter per provider name of the configuration.
    ///   - store: the cache, usage and budget tables; without one nothing is cached, recorded or budgeted.
    init(
        configuration: GatewayConfiguration, providers: [String: any ModelProvider], store: GatewayStore?,
        planner: OfflinePlanner = OfflinePlanner(), logger: Logger
    ) {
        self.configuration = configuration
        self.providers = providers
        self.store = store
        self.planner = planner
        self.logger = logger
        var breakers: [String: CircuitBreaker] = [:]
        var limiters: [String: RateLimiter] = [:]
        for entry in configuration.aliases.values.joined() where breakers[entry.name] == nil {
            breakers[entry.name] = CircuitBreaker(
                entry: entry.name, failureThreshold: configuration.breakerFailureThreshold,
                coolDown: .seconds(configuration.breakerCoolDownSeconds))
            if RateLimiter.limits(requestsPerMinute: entry.requestsPerMinute, tokensPerMinute: entry.tokensPerMinute) {
                limiters[entry.name] = RateLimiter(
                    requestsPerMinute: entry.requestsPerMinute, tokensPerMinute: entry.tokensPerMinute)
            }
        }
        self.breakers = breakers
        self.limiters = limiters
    }

    /// The circuit breaker of `entry` (`provider/model`).
    func breaker(_ entry: String) -> CircuitBreaker? { breakers[entry] }

    /// The offline planner's entry, used for plan requests whose alias is not configured.
    static let offlineEntry = GatewayConfiguration.Entry(
        provider: GatewayConfiguration.offlineProvider, model: "planner", contextWindow: 1_000_000, maxOutputTokens: nil,
        inputPerMillion: 0, outputPerMillion: 0, requestsPerMinute: nil, tokensPerMinute: nil, capability: .high,
        structuredOutput: true, stream: false, timeoutSeconds: 120)

    // MARK: - Serving

    /// Answers `request`; never throws — every failure is a reply with a typed ``ModelError``.
    func serve(_ request: ModelRequest, caller: Caller) async -> ModelReply {
        let started = ContinuousClock.now
        if let problem = Self.problem(with: request) {
            return ModelReply(content: "", error: ModelError(code: .invalidRequest, message: problem))
        }
        guard let chain = chain(for: request) else {
            guard configuration.hasProviders else {
                return ModelReply(content: "", error: ModelError(code: .unavailable, message:
                    "no model provider is configured for alias \"\(request.alias)\"; this gateway has only its offline "
                    + "planner, which serves requests with purpose \"plan\" (set AGENTRY_MODEL_CONFIG_FILE to add providers)"))
            }
            let known = configuration.aliases.keys.sorted().joined(separator: ", ")
            return ModelReply(content: "", error: ModelError(code: .invalidRequest, message:
                "no model alias \"\(request.alias)\" is configured" + (known.isEmpty ? "" : " (configured: \(known))")))
        }
        let cacheKey = configuration.cacheEnabled && request.cache && store != nil && !chain.allSatisfy(\.isOffline)
            ? RequestDigest.cacheKey(for: request) : nil
        if let cacheKey, let hit = await cachedReply(cacheKey, request: request, caller: caller, started: started) {
            return hit
        }
        if cacheKey != nil { Counter(label: "agentry_model_cache_total", dimensions: [("result", "miss")]).increment() }
        let deadline = started + .seconds(request.timeoutSeconds ?? configuration.timeoutSeconds)
        var routing = Routing(request: request, caller: caller, deadline: deadline, started: started)
        routing.promptTokens = RequestDigest.estimatedPromptTokens(for: request)
        let ordered = order(chain, for: request, promptTokens: routing.promptTokens)
        let reply = await route(&routing, through: ordered)
        await recordUsage(reply, request: request, caller: caller, calls: routing.calls, started: started)
        if reply.error == nil, let cacheKey, let entry = reply.entry, let store {
            let cached = GatewayStore.CachedReply(
                content: reply.content, toolCalls: reply.toolCalls, finishReason: reply.finishReason, entry: entry,
                promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
            do {
                try await store.cache(cached, key: cacheKey, alias: request.alias.lowercased(), ttl: configuration.cacheTTLSeconds)
            } catch {
                logger.warning("a model reply could not be cached", metadata: ["error": "\(error)"])
            }
        }
        return reply
    }

    /// What a request gets wrong on its face, or nil.
    static func problem(with request: ModelRequest) -> String? {
        if request.alias.trimmingCharacters(in: .whitespaces).isEmpty { return "the request names no alias" }
        if request.messages.isEmpty { return "the request has no messages" }
        if let maxTokens = request.maxTokens, maxTokens <= 0 { return "maxTokens must be positive, not \(maxTokens)" }
        if let temperature = request.temperature, !(0...2).contains(temperature) {
            return "temperature must be within 0...2, not \(temperature)"
        }
        if let timeout = request.timeoutSeconds, !(timeout > 0 && timeout <= 3600) {
            return "timeoutSeconds must be within (0, 3600], not \(timeout)"
        }
        if case .tool(let name) = request.toolChoice, !request.tools.contains(where: { $0.name == name }) {
            return "toolChoice names \"\(name)\", which is not among the request's tools"
        }
        if Set(request.tools.map(\.name)).count != request.tools.count { return "two tools have the same name" }
        return nil
    }

    /// The alias's chain; the offline planner for plan requests whose alias is not configured.
    func chain(for request: ModelRequest) -> [GatewayConfiguration.Entry]? {
        if let chain = configuration.aliases[request.alias.lowercased()] { return chain }
        let purpose = request.purpose?.lowercased()
        if purpose.map(Self.planPurposes.contains) == true || request.alias.lowercased() == "planner" {
            return [Self.offlineEntry]
        }
        return nil
    }

    /// The chain in the order to try it. With a complexity: the entries capable of it, cheapest
    /// first for this prompt (the configured order breaks ties); the whole chain if none is capable.
    func order(_ chain: [GatewayConfiguration.Entry], for request: ModelRequest, promptTokens: Int) -> [GatewayConfiguration.Entry] {
        guard let complexity = request.complexity else { return chain }
        let capable = chain.enumerated().filter { $0.element.capability.rank >= complexity.rank }
        guard !capable.isEmpty else { return chain }
        return capable.sorted { left, right in
            let leftCost = left.element.cost(promptTokens: promptTokens, completionTokens: outputReserve(left.element, request))
            let rightCost = right.element.cost(promptTokens: promptTokens, completionTokens: outputReserve(right.element, request))
            return leftCost == rightCost ? left.offset < right.offset : leftCost < rightCost
        }.map(\.element)
    }

    /// Completion tokens to ask `entry` for: the request's `maxTokens` (or the default), capped by
    /// the entry's output limit.
    func outputReserve(_ entry: GatewayConfiguration.Entry, _ request: ModelRequest) -> Int {
        min(request.maxTokens ?? configuration.defaultMaxTokens, entry.maxOutputTokens ?? .max)
    }

    // MARK: - The routing loop

    /// The state of one request's routing.
    struct Routing: Sendable {
        let request: ModelRequest
        let caller: Caller
        let deadline: ContinuousClock.Instant
        let started: ContinuousClock.Instant
        var promptTokens = 0
        var calls = 0
        var attempts: [ModelAttempt] = []
        var lastFailure: ProviderFailure?
        /// Entries that cannot serve this request at all (context window, budget).
        var excluded: Set<String> = []
        var overBudget: String?

        mutating func note(_ attempt: ModelAttempt) {
            if let last = attempts.last(where: { $0.entry == attempt.entry }), last.outcome == attempt.outcome,
               attempt.outcome != .failed {
                return
            }
            if attempts.count < 64 { attempts.append(attempt) }
        }
    }

    private func route(_ routing: inout Routing, through chain: [GatewayConfiguration.Entry]) async -> ModelReply {
        var round = 0
        while true {
            var called = false
            var wake: ContinuousClock.Instant?
            for entry in chain where !routing.excluded.contains(entry.name) {
                guard routing.calls < configuration.maxAttempts, ContinuousClock.now < routing.deadline else { break }
                switch await attempt(entry, &routing) {
                case .answered(let reply):
                    return reply
                case .refused(let reply):
                    return reply
                case .failed:
                    called = true
                case .passedOver(let until):
                    if let until { wake = min(wake ?? until, until) }
                }
            }
            round += 1
            let now = ContinuousClock.now
            let remaining = chain.contains { !routing.excluded.contains($0.name) }
            guard remaining, routing.calls < configuration.maxAttempts, now < routing.deadline else { break }
            var next = now + Self.backoff(round: round)
            if !called, let wake { next = max(next, wake) }
            guard next < routing.deadline else { break }
            do { try await Task.sleep(until: next, clock: .continuous) } catch { break }
        }
        return failureReply(routing, chain: chain)
    }

    /// 250 ms doubling per round up to 4 s, with full jitter over its upper half.
    static func backoff(round: Int) -> Duration {
        let base = 0.25 * pow(2, Double(min(max(round - 1, 0), 4)))
        return .milliseconds(Int(base * Double.random(in: 0.5...1.0) * 1000))
    }

    private enum AttemptResult {
        case answered(ModelReply)
        case refused(ModelReply)
        case failed
        case passedOver(until: ContinuousClock.Instant?)
    }

    private func attempt(_ entry: GatewayConfiguration.Entry, _ routing: inout Routing) async -> AttemptResult {
        let request = routing.request
        if entry.isOffline { return offlineAnswer(&routing, entry: entry) }
        guard let provider = providers[entry.provider] else {
            routing.excluded.insert(entry.name)
            routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: "provider \(entry.provider) is not set up"))
            return .passedOver(until: nil)
        }
        // The context window: the prompt plus the completion must fit.
        var maxTokens = outputReserve(entry, request)
        if routing.promptTokens + maxTokens > entry.contextWindow {
            let room = entry.contextWindow - routing.promptTokens
            if request.maxTokens == nil, room >= 64 {
                maxTokens = room
            } else {
                routing.excluded.insert(entry.name)
                routing.note(ModelAttempt(entry: entry.name, outcome: .skippedContextWindow, detail:
                    "about \(routing.promptTokens) prompt + \(maxTokens) completion tokens exceed its \(entry.contextWindow)"))
                count(entry, "skipped_context_window")
                return .passedOver(until: nil)
            }
        }
        // Budgets.
        let worstCase = entry.cost(promptTokens: routing.promptTokens, completionTokens: maxTokens)
        var reservation: BudgetGuard.Reservation?
        if worstCase > 0, let store {
            let limits = budgetLimits(for: routing.caller.tenant)
            if !limits.isEmpty || routing.caller.runId != nil {
                do {
                    let spending = try await store.spending(runId: routing.caller.runId, tenant: routing.caller.tenant)
                    var limits = limits
                    if let own = spending.runBudgetUSD { limits.runUSD = own }
                    if let reason = budgets.refusal(
                        worstCaseUSD: worstCase, limits: limits, spending: spending, runId: routing.caller.runId,
                        tenant: routing.caller.tenant) {
                        routing.excluded.insert(entry.name)
                        routing.overBudget = reason
                        routing.note(ModelAttempt(entry: entry.name, outcome: .skippedOverBudget, detail: reason))
                        count(entry, "skipped_over_budget")
                        return .passedOver(until: nil)
                    }
                } catch {
                    // Budgets cannot be checked without the database: refuse rather than overspend.
                    routing.overBudget = "budgets could not be checked: the database is unavailable"
                    routing.note(ModelAttempt(entry: entry.name, outcome: .skippedOverBudget, detail: routing.overBudget))
                    return .passedOver(until: .now + .seconds(1))
                }
            }
        }
        // A Retry-After the entry sent.
        if let until = retryAfter.withLock({ $0[entry.name] }), until > .now {
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedRateLimited, detail: "waiting for its Retry-After"))
            count(entry, "skipped_retry_after")
            return .passedOver(until: until)
        }
        // The circuit breaker.
        let breaker = breakers[entry.name]
        let admission = breaker?.admit() ?? .allowed
        if case .rejected(let retryAt) = admission {
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedCircuitOpen))
            count(entry, "skipped_circuit_open")
            return .passedOver(until: retryAt)
        }
        // The rate limit: queue within the deadline.
        if let limiter = limiters[entry.name] {
            let admitted = (try? await limiter.acquire(
                estimatedTokens: routing.promptTokens + maxTokens, deadline: routing.deadline)) ?? false
            guard admitted else {
                if admission == .probe { breaker?.releaseProbe() }
                routing.note(ModelAttempt(entry: entry.name, outcome: .skippedRateLimited, detail: "its rate limit has no room before the deadline"))
                count(entry, "skipped_rate_limited")
                return .passedOver(until: nil)
            }
        }
        if worstCase > 0 { reservation = budgets.reserve(worstCase, runId: routing.caller.runId, tenant: routing.caller.tenant) }
        defer { if let reservation { budgets.release(reservation) } }

        let outcome = await call(provider, entry: entry, messages: request.messages, maxTokens: maxTokens, routing: &routing)
        switch outcome {
        case .failure(let failure):
            return recordFailure(failure, entry: entry, breaker: breaker, admission: admission, routing: &routing)
        case .success(var result, let latency):
            var latency = latency
            // A JSON reply must parse (and match the schema); an invalid one is re-asked once.
            if let violations = Self.violations(of: result, format: request.responseFormat), !violations.isEmpty {
                let reask = request.messages + [
                    ChatMessage(role: .assistant, content: result.content),
                    .user("That reply is not valid: \(violations.prefix(5).joined(separator: "; ")). "
                        + "Answer again with only the JSON value, nothing else."),
                ]
                let firstPrompt = result.promptTokens ?? routing.promptTokens
                let firstCompletion = result.completionTokens ?? RequestDigest.estimatedTokens(result.content)
                routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: "reply did not match the format; re-asked",
                                          latencyMs: Int(latency.milliseconds)))
                guard routing.calls < configuration.maxAttempts else {
                    breaker?.record(success: true)
                    return .refused(invalidOutputReply(routing, entry: entry, violations: violations, result: result))
                }
                switch await call(provider, entry: entry, messages: reask, maxTokens: maxTokens, routing: &routing) {
                case .failure(let failure):
                    return recordFailure(failure, entry: entry, breaker: breaker, admission: admission, routing: &routing)
                case .success(let second, let secondLatency):
                    latency += secondLatency
                    let secondViolations = Self.violations(of: second, format: request.responseFormat) ?? []
                    var merged = second
                    merged.promptTokens = firstPrompt + (second.promptTokens ?? RequestDigest.estimatedPromptTokens(for: request))
                    merged.completionTokens = firstCompletion + (second.completionTokens ?? RequestDigest.estimatedTokens(second.content))
                    result = merged
                    if !secondViolations.isEmpty {
                        breaker?.record(success: true)
                        return .refused(invalidOutputReply(routing, entry: entry, violations: secondViolations, result: result))
                    }
                }
            }
            breaker?.record(success: true)
            retryAfter.withLock { _ = $0.removeValue(forKey: entry.name) }
            let reply = answer(result, entry: entry, routing: &routing, latency: latency)
            if let limiter = limiters[entry.name] {
                await limiter.settle(estimatedTokens: routing.promptTokens + maxTokens,
                                     actualTokens: reply.promptTokens + reply.completionTokens)
            }
            return .answered(reply)
        }
    }

    private enum CallOutcome {
        case success(ProviderResult, Duration)
        case failure(ProviderFailure)
    }

    private func call(
        _ provider: any ModelProvider, entry: GatewayConfiguration.Entry, messages: [ChatMessage], maxTokens: Int,
        routing: inout Routing
    ) async -> CallOutcome {
        let request = routing.request
        let remaining = ContinuousClock.now.duration(to: routing.deadline)
        let call = ProviderCall(
            model: entry.model, messages: messages, tools: request.tools, toolChoice: request.toolChoice,
            responseFormat: request.responseFormat, nativeStructuredOutput: entry.structuredOutput, maxTokens: maxTokens,
            temperature: request.temperature, stream: entry.stream,
            timeout: min(.seconds(entry.timeoutSeconds), max(remaining, .milliseconds(1))))
        routing.calls += 1
        let started = ContinuousClock.now
        let outcome: CallOutcome
        do {
            outcome = .success(try await provider.complete(call), started.duration(to: .now))
        } catch let failure as ProviderFailure {
            outcome = .failure(failure)
        } catch is CancellationError {
            outcome = .failure(ProviderFailure(.connection, message: "the call was cancelled"))
        } catch {
            outcome = .failure(ProviderFailure(.connection, message: "\(type(of: error))"))
        }
        let elapsed = started.duration(to: .now)
        Metrics.Timer(label: "agentry_model_provider_seconds", dimensions: [("entry", entry.name)], preferredDisplayUnit: .seconds)
            .record(duration: elapsed)
        switch outcome {
        case .success: count(entry, "ok")
        case .failure(let failure): count(entry, failure.label)
        }
        return outcome
    }

    private func recordFailure(
        _ failure: ProviderFailure, entry: GatewayConfiguration.Entry, breaker: CircuitBreaker?,
        admission: CircuitBreaker.Admission, routing: inout Routing
    ) -> AttemptResult {
        routing.lastFailure = failure
        routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: failure.description))
        if failure.kind == .rateLimited || failure.retryAfter != nil {
            let until = ContinuousClock.now + (failure.retryAfter ?? .seconds(1))
            retryAfter.withLock { $0[entry.name] = until }
        }
        if failure.kind == .rateLimited || failure.isRequestSpecific {
            // Busy or a bad request is not ill health: a probe is handed back unjudged.
            if admission == .probe { breaker?.releaseProbe() }
        } else {
            breaker?.record(success: false)
        }
        logger.warning("model call failed; failing over", metadata: [
            "model.entry": "\(entry.name)", "model.failure": "\(failure.label)", "model.alias": "\(routing.request.alias)",
            "model.calls": "\(routing.calls)", "run.id": "\(routing.caller.runId?.uuidString.lowercased() ?? "")",
        ])
        return .failed
    }

    /// The reply for a successful result, after writing its usage row.
    private func answer(
        _ result: ProviderResult, entry: GatewayConfiguration.Entry, routing: inout Routing, latency: Duration
    ) -> ModelReply {
        let prompt = result.promptTokens ?? routing.promptTokens
        let completion = result.completionTokens
            ?? (RequestDigest.estimatedTokens(result.content) + result.toolCalls.reduce(0) { $0 + RequestDigest.estimatedTokens($1.arguments) })
        let cost = entry.cost(promptTokens: prompt, completionTokens: completion)
        routing.note(ModelAttempt(entry: entry.name, outcome: .ok, latencyMs: Int(latency.milliseconds)))
        var content = result.content
        if routing.request.responseFormat != .text, result.toolCalls.isEmpty,
           let value = JSONSchemaValidator.parseJSON(result.content), let text = Self.jsonText(value) {
            content = text
        }
        return ModelReply(
            content: content, finishReason: result.finishReason, toolCalls: result.toolCalls, entry: entry.name,
            tried: routing.attempts.filter { $0.outcome == .ok || $0.outcome == .failed }.map(\.entry).uniqueAdjacent(),
            promptTokens: prompt, completionTokens: completion, costUSD: cost, attempts: routing.attempts)
    }

    private func offlineAnswer(_ routing: inout Routing, entry: GatewayConfiguration.Entry) -> AttemptResult {
        let started = ContinuousClock.now
        routing.calls += 1
        let prompt = routing.promptTokens
        do {
            let plan = try planner.plan(for: routing.request.messages)
            let content = String(decoding: try ModelRequestHandler.planEncoder.encode(plan), as: UTF8.self)
            count(entry, "ok")
            return .answered(answer(
                ProviderResult(content: content, finishReason: "stop", promptTokens: prompt,
                               completionTokens: RequestDigest.estimatedTokens(content)),
                entry: entry, routing: &routing, latency: started.duration(to: .now)))
        } catch let error as PlannerError {
            count(entry, "invalid_request")
            routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: "the offline planner cannot plan this request"))
            return .refused(ModelReply(
                content: "", entry: entry.name, tried: [entry.name], promptTokens: prompt,
                error: ModelError(code: .invalidRequest, message: error.message), attempts: routing.attempts))
        } catch {
            count(entry, "failed")
            return .refused(ModelReply(
                content: "", entry: entry.name, tried: [entry.name], promptTokens: prompt,
                error: ModelError(code: .providerError, message: "the plan could not be encoded: \(error)"),
                attempts: routing.attempts))
        }
    }

    private func invalidOutputReply(
        _ routing: Routing, entry: GatewayConfiguration.Entry, violations: [String], result: ProviderResult
    ) -> ModelReply {
        let prompt = result.promptTokens ?? routing.promptTokens
        let completion = result.completionTokens ?? RequestDigest.estimatedTokens(result.content)
        return ModelReply(
            content: "", entry: entry.name,
            tried: routing.attempts.filter { $0.outcome == .ok || $0.outcome == .failed }.map(\.entry).uniqueAdjacent(),
            promptTokens: prompt, completionTokens: completion,
            costUSD: entry.cost(promptTokens: prompt, completionTokens: completion),
            error: ModelError(code: .providerError, message:
                "the model's reply did not match the requested format after one re-ask: "
                + violations.prefix(5).joined(separator: "; ")),
            attempts: routing.attempts)
    }

    /// The reply when no entry answered.
    private func failureReply(_ routing: Routing, chain: [GatewayConfiguration.Entry]) -> ModelReply {
        let tried = routing.attempts.filter { $0.outcome == .failed }.map(\.entry).uniqueAdjacent()
        let error: ModelError
        let allTooSmall = chain.allSatisfy { entry in
            routing.attempts.contains { $0.entry == entry.name && $0.outcome == .skippedContextWindow }
        }
        if allTooSmall {
            let largest = chain.map(\.contextWindow).max() ?? 0
            error = ModelError(code: .invalidRequest, message:
                "the prompt (about \(routing.promptTokens) tokens) does not fit the context window of any entry of alias "
                + "\"\(routing.request.alias)\" (largest \(largest) tokens)")
        } else if let reason = routing.overBudget, routing.calls == 0 {
            error = ModelError(code: .overBudget, message: reason)
        } else if let failure = routing.lastFailure, failure.isRequestSpecific,
                  routing.attempts.filter({ $0.outcome == .failed }).allSatisfy({ $0.detail?.hasPrefix(failure.label) == true }) {
            error = ModelError(code: .providerError, message: "every provider refused the request: \(failure.description)")
        } else {
            let summary = routing.attempts.map { "\($0.entry) \($0.outcome.rawValue)" + ($0.detail.map { " (\($0))" } ?? "") }
            let waited = routing.started.duration(to: .now)
            error = ModelError(code: .unavailable, message:
                "no entry of alias \"\(routing.request.alias)\" answered after \(routing.calls) call(s) in "
                + "\(Int(waited.milliseconds)) ms: " + summary.prefix(8).joined(separator: "; "))
        }
        return ModelReply(content: "", tried: tried, promptTokens: 0, error: error, attempts: routing.attempts)
    }

    // MARK: - Cache, budgets, formats

    private func cachedReply(_ key: String, request: ModelRequest, caller: Caller, started: ContinuousClock.Instant) async -> ModelReply? {
        guard let store else { return nil }
        let hit: GatewayStore.CachedReply?
        do {
            hit = try await store.cachedReply(key: key)
        } catch {
            logger.warning("the model cache could not be read; calling the provider", metadata: ["error": "\(error)"])
            return nil
        }
        guard let hit else { return nil }
        Counter(label: "agentry_model_cache_total", dimensions: [("result", "hit")]).increment()
        let reply = ModelReply(
            content: hit.content, finishReason: hit.finishReason, toolCalls: hit.toolCalls, entry: hit.entry, tried: [],
            promptTokens: hit.promptTokens, completionTokens: hit.completionTokens, costUSD: 0, cached: true)
        await recordUsage(reply, request: request, caller: caller, calls: 0, started: started)
        return reply
    }

    /// Writes the request's `model_usage` row when an entry answered (or spent tokens trying).
    private func recordUsage(
        _ reply: ModelReply, request: ModelRequest, caller: Caller, calls: Int, started: ContinuousClock.Instant
    ) async {
        guard let store, let entry = reply.entry else { return }
        let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
        let usage = GatewayStore.Usage(
            requestId: caller.requestId, runId: caller.runId, stepId: caller.stepId, tenant: caller.tenant,
            alias: request.alias.lowercased(), provider: parts.first ?? entry, model: parts.count > 1 ? parts[1] : entry,
            purpose: request.purpose, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens,
            costUSD: reply.costUSD, cached: reply.cached, latencyMs: Int(started.duration(to: .now).milliseconds),
            attempts: calls)
        do {
            try await store.record(usage)
        } catch {
            logger.error("model usage could not be recorded", metadata: [
                "error": "\(error)", "model.entry": "\(entry)", "run.id": "\(caller.runId?.uuidString.lowercased() ?? "")",
            ])
        }
        if !reply.cached {
            Counter(label: "agentry_model_tokens_total", dimensions: [("entry", entry), ("kind", "prompt")])
                .increment(by: Int64(reply.promptTokens))
            Counter(label: "agentry_model_tokens_total", dimensions: [("entry", entry), ("kind", "completion")])
                .increment(by: Int64(reply.completionTokens))
            FloatingPointCounter(label: "agentry_model_cost_usd_total", dimensions: [("entry", entry)])
                .increment(by: reply.costUSD)
        }
    }

    /// The budgets a tenant's requests are held to (the run's own budget is read with the spending).
    func budgetLimits(for tenant: String) -> BudgetGuard.Limits {
        let tenantBudget = configuration.budget(forTenant: tenant)
        return BudgetGuard.Limits(
            runUSD: configuration.runBudgetUSD, tenantDailyUSD: tenantBudget?.dailyUSD,
            tenantMonthlyUSD: tenantBudget?.monthlyUSD)
    }

    /// How a result breaks the requested JSON format; nil for text or tool calls.
    static func violations(of result: ProviderResult, format: ResponseFormat) -> [String]? {
        guard result.toolCalls.isEmpty else { return nil }
        switch format {
        case .text:
            return nil
        case .jsonObject:
            guard let value = JSONSchemaValidator.parseJSON(result.content) else { return ["the reply is not JSON"] }
            if case .object = value { return [] }
            return ["the reply is JSON but not an object"]
        case .jsonSchema(_, let schema):
            guard let value = JSONSchemaValidator.parseJSON(result.content) else { return ["the reply is not JSON"] }
            return JSONSchemaValidator(schema: schema).violations(of: value).map(\.description)
        }
    }

    private static func jsonText(_ value: JSONValue) -> String? {
        (try? ModelRequestHandler.planEncoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func count(_ entry: GatewayConfiguration.Entry, _ outcome: String) {
        Counter(label: "agentry_model_attempts_total", dimensions: [("entry", entry.name), ("outcome", outcome)]).increment()
    }
}

extension GatewayConfiguration.Entry {
    /// Whether this is the built-in offline planner.
    var isOffline: Bool { provider == GatewayConfiguration.offlineProvider }
}

extension ModelRequest.Complexity {
    /// low 0, medium 1, high 2.
    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }
}

extension Array where Element: Equatable {
    /// The elements with adjacent repeats collapsed (`[a, a, b, a]` → `[a, b, a]`).
    func uniqueAdjacent() -> [Element] {
        var result: [Element] = []
        for element in self where result.last != element { result.append(element) }
        return result
    }
}
