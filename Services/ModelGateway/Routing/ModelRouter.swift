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
        structuredOutput: true, stream: false, timeoutSeconds: nil)

    // MARK: - Serving

    /// Answers `request`: every failure of the request or the providers is a reply with a typed
    /// ``ModelError``. Throws only when the database cannot be reached for the budgets or the
    /// usage row, so the delivery is requeued and nothing is spent unchecked or left unrecorded.
    func serve(_ request: ModelRequest, caller: Caller) async throws -> ModelReply {
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
        if let cacheKey, let hit = try await cachedReply(cacheKey, request: request, caller: caller, started: started) {
            return hit
        }
        if cacheKey != nil { Counter(label: "agentry_model_cache_total", dimensions: [("result", "miss")]).increment() }
        let deadline = started + .seconds(request.timeoutSeconds ?? configuration.timeoutSeconds)
        var routing = Routing(request: request, caller: caller, deadline: deadline, started: started)
        routing.promptTokens = RequestDigest.estimatedPromptTokens(for: request)
        let ordered = order(chain, for: request, promptTokens: routing.promptTokens)
        let reply: ModelReply
        do {
            reply = try await route(&routing, through: ordered)
            // The budget holds go back only once the spend is in model_usage.
            try await recordUsage(reply, entry: reply.entry ?? routing.billedEntry, request: request, caller: caller,
                                  calls: routing.calls, started: started)
            routing.reservations.forEach(budgets.release)
        } catch {
            routing.reservations.forEach(budgets.release)
            throw error
        }
        if reply.error == nil, let cacheKey, let entry = reply.entry, !entry.hasPrefix(GatewayConfiguration.offlineProvider + "/"),
           let store {
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
    /// The offline planner, a last resort at no cost, always stays last.
    func order(_ chain: [GatewayConfiguration.Entry], for request: ModelRequest, promptTokens: Int) -> [GatewayConfiguration.Entry] {
        guard let complexity = request.complexity else { return chain }
        let offline = chain.filter(\.isOffline)
        let capable = chain.enumerated().filter { !$0.element.isOffline && $0.element.capability.rank >= complexity.rank }
        guard !capable.isEmpty else { return chain }
        return capable.sorted { left, right in
            let leftCost = left.element.cost(promptTokens: promptTokens, completionTokens: outputReserve(left.element, request))
            let rightCost = right.element.cost(promptTokens: promptTokens, completionTokens: outputReserve(right.element, request))
            return leftCost == rightCost ? left.offset < right.offset : leftCost < rightCost
        }.map(\.element) + offline
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
        var failures: [ProviderFailure] = []
        /// Entries that cannot serve this request at all (context window, budget, a bad request).
        var excluded: Set<String> = []
        /// Entries passed over for a budget, and the last reason.
        var overBudget: (entries: Set<String>, reason: String)?
        /// Budget holds, given back once the usage row is written.
        var reservations: [BudgetGuard.Reservation] = []
        /// Tokens and cost billed by calls whose reply was not used (an invalid JSON reply).
        var spentPrompt = 0
        var spentCompletion = 0
        var spentUSD = 0.0
        /// The last entry that billed tokens, for the usage row of a request that got no answer.
        var billedEntry: String?

        /// The entries called, in order (adjacent repeats folded).
        var tried: [String] {
            attempts.filter { $0.outcome == .ok || $0.outcome == .failed }.map(\.entry).uniqueAdjacent()
        }

        /// Records an attempt; repeats of the same skip are folded, and the answer always fits.
        mutating func note(_ attempt: ModelAttempt) {
            if attempt.outcome != .failed, attempt.outcome != .ok,
               let last = attempts.last(where: { $0.entry == attempt.entry }),
               last.outcome == attempt.outcome, last.detail == attempt.detail {
                return
            }
            if attempts.count < 63 || (attempt.outcome == .ok && attempts.count < 64) { attempts.append(attempt) }
        }
    }

    private func route(_ routing: inout Routing, through chain: [GatewayConfiguration.Entry]) async throws -> ModelReply {
        var round = 0
        while true {
            var called = false
            var wake: ContinuousClock.Instant?
            for entry in chain where !routing.excluded.contains(entry.name) {
                guard routing.calls < configuration.maxAttempts, ContinuousClock.now < routing.deadline else { break }
                switch try await attempt(entry, &routing) {
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

    private func attempt(_ entry: GatewayConfiguration.Entry, _ routing: inout Routing) async throws -> AttemptResult {
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
        // A Retry-After the entry sent.
        if let until = retryAfter.withLock({ $0[entry.name] }), until > .now {
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedRateLimited, detail: "waiting for its Retry-After"))
            count(entry, "skipped_retry_after")
            return .passedOver(until: until)
        }
        // The circuit breaker, looked at before queueing for the rate limit.
        let breaker = breakers[entry.name]
        if let breaker, let retryAt = breaker.rejectsUntil() {
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedCircuitOpen))
            count(entry, "skipped_circuit_open")
            return .passedOver(until: retryAt)
        }
        // The rate limit: queue within the deadline.
        guard try await admitRate(entry, tokens: routing.promptTokens + maxTokens, &routing) else {
            return .passedOver(until: nil)
        }
        let admission = breaker?.admit() ?? .allowed
        if case .rejected(let retryAt) = admission {
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedCircuitOpen))
            count(entry, "skipped_circuit_open")
            return .passedOver(until: retryAt)
        }
        // The budgets, checked and held in one step right before the call.
        do {
            guard try await reserveBudget(entry, promptTokens: routing.promptTokens, maxTokens: maxTokens, &routing) else {
                if admission == .probe { breaker?.releaseProbe() }
                return .passedOver(until: nil)
            }
        } catch {
            if admission == .probe { breaker?.releaseProbe() }
            throw error
        }

        let outcome: CallOutcome
        do {
            outcome = try await call(provider, entry: entry, messages: request.messages, maxTokens: maxTokens, routing: &routing)
        } catch {
            if admission == .probe { breaker?.releaseProbe() }
            throw error
        }
        switch outcome {
        case .failure(let failure, let cutByDeadline):
            return recordFailure(failure, cutByDeadline: cutByDeadline, entry: entry, breaker: breaker, admission: admission,
                                 routing: &routing)
        case .success(var result, let latency):
            var latency = latency
            breaker?.record(success: true)
            retryAfter.withLock { _ = $0.removeValue(forKey: entry.name) }
            // A JSON reply must parse (and match the schema); an invalid one is re-asked once.
            if let violations = Self.violations(of: result, format: request.responseFormat), !violations.isEmpty {
                routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: "the reply did not match the format; re-asked",
                                          latencyMs: Int(latency.milliseconds)))
                bill(result, entry: entry, &routing)
                let reask = request.messages + [
                    ChatMessage(role: .assistant, content: result.content),
                    .user("That reply is not valid: \(violations.prefix(5).joined(separator: "; ")). "
                        + "Answer again with only the JSON value, nothing else."),
                ]
                let reaskPrompt = RequestDigest.estimatedPromptTokens(for: ModelRequest(
                    alias: request.alias, messages: reask, responseFormat: request.responseFormat, tools: request.tools))
                guard routing.calls < configuration.maxAttempts, reaskPrompt + maxTokens <= entry.contextWindow,
                      try await admitRate(entry, tokens: reaskPrompt + maxTokens, &routing),
                      try await reserveBudget(entry, promptTokens: reaskPrompt, maxTokens: maxTokens, &routing) else {
                    return .refused(invalidOutputReply(routing, violations: violations))
                }
                switch try await call(provider, entry: entry, messages: reask, maxTokens: maxTokens, routing: &routing) {
                case .failure(let failure, let cutByDeadline):
                    return recordFailure(failure, cutByDeadline: cutByDeadline, entry: entry, breaker: breaker,
                                         admission: .allowed, routing: &routing)
                case .success(let second, let secondLatency):
                    latency += secondLatency
                    let secondViolations = Self.violations(of: second, format: request.responseFormat) ?? []
                    result = second
                    if !secondViolations.isEmpty {
                        bill(second, entry: entry, &routing, promptEstimate: reaskPrompt)
                        return .refused(invalidOutputReply(routing, violations: secondViolations))
                    }
                }
            }
            let reply = answer(result, entry: entry, routing: &routing, latency: latency)
            if let limiter = limiters[entry.name] {
                await limiter.settle(estimatedTokens: routing.promptTokens + maxTokens,
                                     actualTokens: reply.promptTokens + reply.completionTokens)
            }
            return .answered(reply)
        }
    }

    /// Queues for the entry's rate limit within the deadline; false (noted) when it has no room.
    private func admitRate(_ entry: GatewayConfiguration.Entry, tokens: Int, _ routing: inout Routing) async throws -> Bool {
        guard let limiter = limiters[entry.name] else { return true }
        // A call needs some time left to be worth making.
        let admitted = try await limiter.acquire(estimatedTokens: tokens, deadline: routing.deadline - Self.minimumCallTime)
        if !admitted {
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedRateLimited, detail: "its rate limit has no room before the deadline"))
            count(entry, "skipped_rate_limited")
        }
        return admitted
    }

    /// Checks the call's worst case against the budgets and holds it; false (noted, the entry
    /// excluded) when it would exceed one. Throws ``GatewayStoreUnavailable`` without the database.
    private func reserveBudget(
        _ entry: GatewayConfiguration.Entry, promptTokens: Int, maxTokens: Int, _ routing: inout Routing
    ) async throws -> Bool {
        let worstCase = entry.cost(promptTokens: promptTokens, completionTokens: maxTokens)
        guard worstCase > 0, let store else { return true }
        var limits = budgetLimits(for: routing.caller.tenant)
        guard !limits.isEmpty || routing.caller.runId != nil else { return true }
        let spending: GatewayStore.Spending
        do {
            spending = try await store.spending(runId: routing.caller.runId, tenant: routing.caller.tenant)
        } catch {
            // Budgets cannot be checked without the database: hand the request back (it is
            // requeued) rather than spend unchecked.
            throw GatewayStoreUnavailable(what: "the budgets could not be checked", underlying: error)
        }
        if let own = spending.runBudgetUSD { limits.runUSD = own }
        switch budgets.reserve(worstCaseUSD: worstCase, limits: limits, spending: spending, runId: routing.caller.runId,
                               tenant: routing.caller.tenant) {
        case .success(let reservation):
            routing.reservations.append(reservation)
            return true
        case .failure(let refusal):
            routing.excluded.insert(entry.name)
            routing.overBudget = ((routing.overBudget?.entries ?? []).union([entry.name]), refusal.reason)
            routing.note(ModelAttempt(entry: entry.name, outcome: .skippedOverBudget, detail: refusal.reason))
            count(entry, "skipped_over_budget")
            return false
        }
    }

    /// Adds a call's billed tokens to the request's spend (its reply was not used).
    private func bill(_ result: ProviderResult, entry: GatewayConfiguration.Entry, _ routing: inout Routing, promptEstimate: Int? = nil) {
        let prompt = result.promptTokens ?? promptEstimate ?? routing.promptTokens
        let completion = result.completionTokens ?? RequestDigest.estimatedTokens(result.content)
        routing.spentPrompt += prompt
        routing.spentCompletion += completion
        routing.spentUSD += entry.cost(promptTokens: prompt, completionTokens: completion)
        routing.billedEntry = entry.name
    }

    /// The least time worth starting a call with.
    static let minimumCallTime = Duration.milliseconds(50)

    private enum CallOutcome {
        case success(ProviderResult, Duration)
        /// `cutByDeadline`: the call's timeout was shortened by the request's deadline.
        case failure(ProviderFailure, cutByDeadline: Bool)
    }

    private func call(
        _ provider: any ModelProvider, entry: GatewayConfiguration.Entry, messages: [ChatMessage], maxTokens: Int,
        routing: inout Routing
    ) async throws -> CallOutcome {
        let request = routing.request
        let remaining = max(ContinuousClock.now.duration(to: routing.deadline), .milliseconds(1))
        let entryLimit = entry.timeoutSeconds.map { Duration.seconds($0) }
        let cutByDeadline = entryLimit.map { remaining < $0 } ?? true
        let call = ProviderCall(
            model: entry.model, messages: messages, tools: request.tools, toolChoice: request.toolChoice,
            responseFormat: request.responseFormat, nativeStructuredOutput: entry.structuredOutput, maxTokens: maxTokens,
            temperature: request.temperature, stream: entry.stream, timeout: min(entryLimit ?? remaining, remaining))
        routing.calls += 1
        let started = ContinuousClock.now
        let outcome: CallOutcome
        do {
            outcome = .success(try await provider.complete(call), started.duration(to: .now))
        } catch let failure as ProviderFailure {
            outcome = .failure(failure, cutByDeadline: cutByDeadline)
        } catch is CancellationError {
            // The gateway is stopping: the request goes back to the queue, and the entry is not blamed.
            throw CancellationError()
        } catch {
            outcome = .failure(ProviderFailure(.connection, message: "\(type(of: error))"), cutByDeadline: cutByDeadline)
        }
        let elapsed = started.duration(to: .now)
        Metrics.Timer(label: "agentry_model_provider_seconds", dimensions: [("entry", entry.name)], preferredDisplayUnit: .seconds)
            .record(duration: elapsed)
        switch outcome {
        case .success: count(entry, "ok")
        case .failure(let failure, _): count(entry, failure.label)
        }
        return outcome
    }

    private func recordFailure(
        _ failure: ProviderFailure, cutByDeadline: Bool, entry: GatewayConfiguration.Entry, breaker: CircuitBreaker?,
        admission: CircuitBreaker.Admission, routing: inout Routing
    ) -> AttemptResult {
        routing.failures.append(failure)
        routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: failure.description))
        if failure.kind == .rateLimited || failure.retryAfter != nil {
            let wait = min(failure.retryAfter ?? .seconds(1), .seconds(ProviderHTTP.longestRetryAfter))
            retryAfter.withLock { $0[entry.name] = ContinuousClock.now + wait }
        }
        if failure.isRequestSpecific {
            // The provider refuses this request: asking it again will not help.
            routing.excluded.insert(entry.name)
        }
        if failure.kind == .rateLimited || failure.isRequestSpecific || (failure.kind == .timeout && cutByDeadline) {
            // Busy, a bad request, or out of the request's own time is not ill health: a probe is
            // handed back unjudged.
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
        let ownPrompt = result.promptTokens ?? routing.promptTokens
        let ownCompletion = result.completionTokens
            ?? (RequestDigest.estimatedTokens(result.content) + result.toolCalls.reduce(0) { $0 + RequestDigest.estimatedTokens($1.arguments) })
        let prompt = ownPrompt + routing.spentPrompt
        let completion = ownCompletion + routing.spentCompletion
        let cost = entry.cost(promptTokens: ownPrompt, completionTokens: ownCompletion) + routing.spentUSD
        routing.note(ModelAttempt(entry: entry.name, outcome: .ok, latencyMs: Int(latency.milliseconds)))
        var content = result.content
        if routing.request.responseFormat != .text, result.toolCalls.isEmpty,
           let value = JSONSchemaValidator.parseJSON(result.content), let text = Self.jsonText(value) {
            content = text
        }
        return ModelReply(
            content: content, finishReason: result.finishReason, toolCalls: result.toolCalls, entry: entry.name,
            tried: routing.tried, promptTokens: prompt, completionTokens: completion, costUSD: cost,
            attempts: routing.attempts)
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
        } catch {
            count(entry, "invalid_request")
            let message = (error as? PlannerError)?.message ?? "the plan could not be encoded: \(error)"
            routing.excluded.insert(entry.name)
            routing.note(ModelAttempt(entry: entry.name, outcome: .failed, detail: "the offline planner cannot plan this request"))
            // Alone, the planner's refusal is the answer; behind providers that failed, the outage is.
            guard routing.failures.isEmpty else { return .failed }
            return .refused(ModelReply(
                content: "", entry: entry.name, tried: routing.tried, promptTokens: prompt,
                error: ModelError(code: error is PlannerError ? .invalidRequest : .providerError, message: message),
                attempts: routing.attempts))
        }
    }

    /// The reply when the model's JSON stayed invalid after the re-ask: what was spent, and why.
    private func invalidOutputReply(_ routing: Routing, violations: [String]) -> ModelReply {
        ModelReply(
            content: "", tried: routing.tried, promptTokens: routing.spentPrompt, completionTokens: routing.spentCompletion,
            costUSD: routing.spentUSD,
            error: ModelError(code: .providerError, message:
                "the model's reply did not match the requested format after one re-ask: "
                + violations.prefix(5).joined(separator: "; ")),
            attempts: routing.attempts)
    }

    /// The reply when no entry answered (with whatever was spent on replies that were not used).
    private func failureReply(_ routing: Routing, chain: [GatewayConfiguration.Entry]) -> ModelReply {
        let error: ModelError
        let tooSmall = Set(routing.attempts.filter { $0.outcome == .skippedContextWindow }.map(\.entry))
        let rest = chain.filter { !tooSmall.contains($0.name) }
        if rest.isEmpty {
            let largest = chain.map(\.contextWindow).max() ?? 0
            error = ModelError(code: .invalidRequest, message:
                "the prompt (about \(routing.promptTokens) tokens) does not fit the context window of any entry of alias "
                + "\"\(routing.request.alias)\" (largest \(largest) tokens)")
        } else if let overBudget = routing.overBudget, rest.allSatisfy({ overBudget.entries.contains($0.name) }) {
            error = ModelError(code: .overBudget, message: overBudget.reason)
        } else if let last = routing.failures.last, routing.failures.allSatisfy(\.isRequestSpecific) {
            error = ModelError(code: .providerError, message: "every provider refused the request: \(last.description)")
        } else {
            let summary = routing.attempts.map { "\($0.entry) \($0.outcome.rawValue)" + ($0.detail.map { " (\($0))" } ?? "") }
            let waited = routing.started.duration(to: .now)
            error = ModelError(code: .unavailable, message:
                "no entry of alias \"\(routing.request.alias)\" answered after \(routing.calls) call(s) in "
                + "\(Int(waited.milliseconds)) ms: " + summary.prefix(8).joined(separator: "; "))
        }
        return ModelReply(
            content: "", tried: routing.tried, promptTokens: routing.spentPrompt, completionTokens: routing.spentCompletion,
            costUSD: routing.spentUSD, error: error, attempts: routing.attempts)
    }

    // MARK: - Cache, budgets, formats

    private func cachedReply(
        _ key: String, request: ModelRequest, caller: Caller, started: ContinuousClock.Instant
    ) async throws -> ModelReply? {
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
        try await recordUsage(reply, entry: reply.entry, request: request, caller: caller, calls: 0, started: started)
        return reply
    }

    /// Writes the request's `model_usage` row when an entry answered (or spent tokens trying),
    /// retrying for a few seconds; throws when the database stays away, so the request is requeued.
    private func recordUsage(
        _ reply: ModelReply, entry: String?, request: ModelRequest, caller: Caller, calls: Int,
        started: ContinuousClock.Instant
    ) async throws {
        guard let store, let entry else { return }
        let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
        let usage = GatewayStore.Usage(
            requestId: caller.requestId, runId: caller.runId, stepId: caller.stepId, tenant: caller.tenant,
            alias: request.alias.lowercased(), provider: parts.first ?? entry, model: parts.count > 1 ? parts[1] : entry,
            purpose: request.purpose, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens,
            costUSD: reply.costUSD, cached: reply.cached, latencyMs: Int(started.duration(to: .now).milliseconds),
            attempts: calls)
        var delay = Duration.milliseconds(200)
        while true {
            do {
                try await store.record(usage)
                break
            } catch {
                guard delay <= .seconds(3) else {
                    logger.error("model usage could not be recorded; the request goes back to the queue", metadata: [
                        "error": "\(error)", "model.entry": "\(entry)",
                        "run.id": "\(caller.runId?.uuidString.lowercased() ?? "")",
                    ])
                    throw GatewayStoreUnavailable(what: "the usage could not be recorded", underlying: error)
                }
                try await Task.sleep(for: delay)
                delay *= 2
            }
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

/// The database is out of reach for something the gateway must not do without it.
struct GatewayStoreUnavailable: Error, CustomStringConvertible {
    let what: String
    let underlying: any Error
    var description: String { "\(what): \(underlying)" }
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
