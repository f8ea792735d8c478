import AgentryContracts
import AgentryServiceKit
import Foundation

extension GatewayConfiguration {
    /// The variable holding the configuration JSON (or, as `AGENTRY_MODEL_CONFIG_FILE`, its path).
    static let environmentKey = "AGENTRY_MODEL_CONFIG"

    /// Reads the configuration from `AGENTRY_MODEL_CONFIG` / `AGENTRY_MODEL_CONFIG_FILE`, and each
    /// provider's key from the variable it names; ``offlineOnly`` when neither is set.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable and the field at fault.
    static func load(environment: [String: String]) throws -> GatewayConfiguration {
        let reader = ConfigurationReader(environment: environment)
        guard let text = try reader.string(environmentKey) else { return .offlineOnly }
        return try parse(Data(text.utf8), keys: { name in try reader.string(name) })
    }

    /// Parses and checks the JSON document; `keys` reads a provider's key variable.
    static func parse(_ data: Data, keys: (String) throws -> String?) throws -> GatewayConfiguration {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw invalid(Self.describe(error))
        }
        var configuration = GatewayConfiguration.offlineOnly
        configuration.timeoutSeconds = try positive(document.timeoutSeconds, "timeoutSeconds") ?? configuration.timeoutSeconds
        configuration.maxAttempts = document.maxAttempts ?? configuration.maxAttempts
        guard (1...50).contains(configuration.maxAttempts) else { throw invalid("maxAttempts must be 1...50") }
        configuration.defaultMaxTokens = document.defaultMaxTokens ?? configuration.defaultMaxTokens
        guard configuration.defaultMaxTokens > 0 else { throw invalid("defaultMaxTokens must be positive") }
        if let breaker = document.breaker {
            configuration.breakerFailureThreshold = breaker.failureThreshold ?? configuration.breakerFailureThreshold
            guard configuration.breakerFailureThreshold >= 1 else { throw invalid("breaker.failureThreshold must be at least 1") }
            configuration.breakerCoolDownSeconds = try positive(breaker.coolDownSeconds, "breaker.coolDownSeconds")
                ?? configuration.breakerCoolDownSeconds
        }
        if let cache = document.cache {
            configuration.cacheEnabled = cache.enabled ?? true
            configuration.cacheTTLSeconds = try positive(cache.ttlSeconds, "cache.ttlSeconds") ?? configuration.cacheTTLSeconds
        }
        if let budgets = document.budgets {
            configuration.runBudgetUSD = try nonNegative(budgets.runUSD, "budgets.runUSD")
            for (tenant, budget) in budgets.tenants ?? [:] {
                _ = try nonNegative(budget.dailyUSD, "budgets.tenants.\(tenant).dailyUSD")
                _ = try nonNegative(budget.monthlyUSD, "budgets.tenants.\(tenant).monthlyUSD")
            }
            configuration.tenantBudgets = budgets.tenants ?? [:]
        }

        for provider in document.providers ?? [] {
            guard !provider.name.isEmpty, provider.name != offlineProvider else {
                throw invalid("a provider needs a name other than \"\(offlineProvider)\" (built in)")
            }
            guard configuration.providers[provider.name] == nil else {
                throw invalid("provider \"\(provider.name)\" is defined twice")
            }
            guard provider.kind != .offline else { throw invalid("provider \"\(provider.name)\": kind \"offline\" is built in") }
            let baseURL = provider.baseURL ?? (provider.kind == .anthropic ? "https://api.anthropic.com" : "https://api.openai.com/v1")
            guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
                throw invalid("provider \"\(provider.name)\": baseURL must be an http or https URL")
            }
            var key: Secret?
            if let variable = provider.apiKeyEnv {
                guard let value = try keys(variable) else {
                    throw ConfigurationError(.invalidValue, key: variable, reason:
                        "provider \"\(provider.name)\" reads its key from \(variable) (or \(variable)_FILE), which is not set")
                }
                key = Secret(value)
            }
            configuration.providers[provider.name] = Provider(
                name: provider.name, kind: provider.kind, baseURL: baseURL, apiKey: key,
                headers: provider.headers ?? [:], anthropicVersion: provider.anthropicVersion ?? "2023-06-01")
        }

        var seen: [String: Entry] = [:]
        for (alias, entries) in document.aliases ?? [:] {
            guard !alias.isEmpty else { throw invalid("an alias needs a name") }
            guard !entries.isEmpty else { throw invalid("alias \"\(alias)\" has no entries") }
            var chain: [Entry] = []
            for item in entries {
                let entry = try makeEntry(item, alias: alias, providers: configuration.providers)
                if let earlier = seen[entry.name], earlier.requestsPerMinute != entry.requestsPerMinute
                    || earlier.tokensPerMinute != entry.tokensPerMinute {
                    throw invalid("entry \(entry.name) appears with different rate limits; an entry's limits are shared, give them once")
                }
                seen[entry.name] = entry
                guard !chain.contains(where: { $0.name == entry.name }) else {
                    throw invalid("alias \"\(alias)\" lists \(entry.name) twice")
                }
                chain.append(entry)
            }
            guard configuration.aliases[alias.lowercased()] == nil else {
                throw invalid("alias \"\(alias)\" is given twice (aliases are matched without regard to case)")
            }
            configuration.aliases[alias.lowercased()] = chain
        }
        return configuration
    }

    private static func makeEntry(
        _ item: Document.EntryItem, alias: String, providers: [String: Provider]
    ) throws -> Entry {
        let label = "alias \"\(alias)\", entry \(item.provider)/\(item.model)"
        guard !item.model.isEmpty else { throw invalid("alias \"\(alias)\": an entry needs a model") }
        if item.provider == offlineProvider {
            return Entry(
                provider: offlineProvider, model: item.model, contextWindow: item.contextWindow ?? 1_000_000,
                maxOutputTokens: nil, inputPerMillion: 0, outputPerMillion: 0, requestsPerMinute: nil,
                tokensPerMinute: nil, capability: item.capability ?? .high, structuredOutput: true, stream: false,
                timeoutSeconds: nil)
        }
        guard providers[item.provider] != nil else {
            throw invalid("\(label): no provider is named \"\(item.provider)\"")
        }
        guard let window = item.contextWindow, window > 0 else { throw invalid("\(label): contextWindow (tokens) is required") }
        if let output = item.maxOutputTokens, output <= 0 || output > window {
            throw invalid("\(label): maxOutputTokens must be within 1...contextWindow")
        }
        for (value, field) in [(item.requestsPerMinute, "requestsPerMinute"), (item.tokensPerMinute, "tokensPerMinute")] {
            if let value, value <= 0 { throw invalid("\(label): \(field) must be positive") }
        }
        return Entry(
            provider: item.provider, model: item.model, contextWindow: window, maxOutputTokens: item.maxOutputTokens,
            inputPerMillion: try nonNegative(item.inputPerMillion, "\(label): inputPerMillion") ?? 0,
            outputPerMillion: try nonNegative(item.outputPerMillion, "\(label): outputPerMillion") ?? 0,
            requestsPerMinute: item.requestsPerMinute, tokensPerMinute: item.tokensPerMinute,
            capability: item.capability ?? .high, structuredOutput: item.structuredOutput ?? (providers[item.provider]?.kind == .openai),
            stream: item.stream ?? true,
            timeoutSeconds: try positive(item.timeoutSeconds, "\(label): timeoutSeconds"))
    }

    private static func invalid(_ reason: String) -> ConfigurationError {
        ConfigurationError(.invalidValue, key: environmentKey, reason: reason)
    }

    private static func positive(_ value: Double?, _ field: String) throws -> Double? {
        guard let value else { return nil }
        guard value > 0, value.isFinite else { throw invalid("\(field) must be a positive number") }
        return value
    }

    private static func nonNegative(_ value: Double?, _ field: String) throws -> Double? {
        guard let value else { return nil }
        guard value >= 0, value.isFinite else { throw invalid("\(field) must not be negative") }
        return value
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = CodingPath.text(context.codingPath)
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)): \(key.stringValue) is required"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "the document is not valid: \(error)"
        }
    }

    /// The JSON document as written.
    private struct Document: Decodable {
        struct ProviderItem: Decodable {
            var name: String
            var kind: ProviderKind
            var baseURL: String?
            var apiKeyEnv: String?
            var headers: [String: String]?
            var anthropicVersion: String?
        }
        struct EntryItem: Decodable {
            var provider: String
            var model: String
            var contextWindow: Int?
            var maxOutputTokens: Int?
            var inputPerMillion: Double?
            var outputPerMillion: Double?
            var requestsPerMinute: Int?
            var tokensPerMinute: Int?
            var capability: ModelRequest.Complexity?
            var structuredOutput: Bool?
            var stream: Bool?
            var timeoutSeconds: Double?
        }
        struct Breaker: Decodable { var failureThreshold: Int?; var coolDownSeconds: Double? }
        struct Cache: Decodable { var enabled: Bool?; var ttlSeconds: Double? }
        struct Budgets: Decodable { var runUSD: Double?; var tenants: [String: TenantBudget]? }

        var providers: [ProviderItem]?
        var aliases: [String: [EntryItem]]?
        var timeoutSeconds: Double?
        var maxAttempts: Int?
        var defaultMaxTokens: Int?
        var breaker: Breaker?
        var cache: Cache?
        var budgets: Budgets?
    }
}
