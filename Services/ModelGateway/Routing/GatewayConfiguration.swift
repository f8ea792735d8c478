import AgentryContracts
import AgentryServiceKit
import Foundation

/// The model gateway's routing configuration: providers, the chain of entries behind each alias,
/// and the breaker, cache, budget and time limits.
///
/// It is JSON, given in `AGENTRY_MODEL_CONFIG` or (the usual way, a mounted ConfigMap) in the
/// file named by `AGENTRY_MODEL_CONFIG_FILE`; `docs/configuration.md` describes every field. Keys
/// are never part of it: a provider names the environment variable holding its key (which may be
/// given as `<NAME>_FILE`, a mounted secret).
///
/// ```json
/// { "providers": [
///     {"name": "openai", "kind": "openai", "apiKeyEnv": "OPENAI_API_KEY"},
///     {"name": "local", "kind": "openai", "baseURL": "http://127.0.0.1:11434/v1"} ],
///   "aliases": {
///     "planner": [
///       {"provider": "openai", "model": "gpt-4.1", "contextWindow": 1047576,
///        "inputPerMillion": 2, "outputPerMillion": 8, "requestsPerMinute": 500},
///       {"provider": "local", "model": "llama3.1:8b", "contextWindow": 8192},
///       {"provider": "offline", "model": "planner"} ] },
///   "budgets": {"runUSD": 2, "tenants": {"*": {"dailyUSD": 20}}} }
/// ```
struct GatewayConfiguration: Sendable, Equatable {
    /// The wire protocol a provider speaks.
    enum ProviderKind: String, Sendable, Codable, Equatable {
        /// OpenAI's chat completions API (also Groq, Mistral, Ollama, vLLM, llama.cpp's server).
        case openai
        /// Anthropic's Messages API.
        case anthropic
        /// The built-in offline planner (the provider named `offline`; needs no configuration).
        case offline
    }

    /// A provider endpoint.
    struct Provider: Sendable, Equatable {
        var name: String
        var kind: ProviderKind
        /// `https://api.openai.com/v1` or `https://api.anthropic.com` by default.
        var baseURL: String
        /// The key, read from the environment variable the configuration names; never logged.
        var apiKey: Secret?
        /// Extra request headers (e.g. `OpenAI-Organization`).
        var headers: [String: String]
        /// Anthropic's `anthropic-version` header.
        var anthropicVersion: String
    }

    /// One provider + model an alias may be served by.
    struct Entry: Sendable, Equatable, Hashable {
        var provider: String
        var model: String
        /// Tokens the model can hold: prompt plus completion.
        var contextWindow: Int
        /// Most completion tokens the model produces; caps a request's `maxTokens`.
        var maxOutputTokens: Int?
        /// US dollars per million prompt tokens.
        var inputPerMillion: Double
        /// US dollars per million completion tokens.
        var outputPerMillion: Double
        /// Requests per minute the entry may be sent; no limit when absent.
        var requestsPerMinute: Int?
        /// Prompt plus completion tokens per minute; no limit when absent.
        var tokensPerMinute: Int?
        /// The hardest work this entry is good for; requests with a `complexity` above it skip it.
        var capability: ModelRequest.Complexity
        /// Whether the provider enforces a JSON schema itself (OpenAI's `json_schema`).
        var structuredOutput: Bool
        /// Whether to stream the reply (server-sent events).
        var stream: Bool
        /// The longest one call may take, in seconds; the request's deadline when absent (which
        /// always caps it).
        var timeoutSeconds: Double?

        /// `provider/model`, how replies, metrics and the usage table name the entry.
        var name: String { "\(provider)/\(model)" }

        /// What `promptTokens` and `completionTokens` cost here, in US dollars.
        func cost(promptTokens: Int, completionTokens: Int) -> Double {
            (Double(promptTokens) * inputPerMillion + Double(completionTokens) * outputPerMillion) / 1_000_000
        }
    }

    /// A tenant's spending limits in US dollars per UTC day and calendar month.
    struct TenantBudget: Sendable, Equatable, Codable {
        var dailyUSD: Double?
        var monthlyUSD: Double?
    }

    var providers: [String: Provider]
    /// Each alias's chain, in fail-over order.
    var aliases: [String: [Entry]]
    /// A request's deadline when it names none.
    var timeoutSeconds: Double
    /// Calls per request across the whole chain and its rounds; fail-over does not reset it.
    var maxAttempts: Int
    /// Completion tokens reserved for budgets, context and rate limits when a request sets no `maxTokens`.
    var defaultMaxTokens: Int
    /// Consecutive failures that open an entry's circuit.
    var breakerFailureThreshold: Int
    /// How long an open circuit waits before letting one probe through.
    var breakerCoolDownSeconds: Double
    /// Whether replies are cached.
    var cacheEnabled: Bool
    /// How long a cached reply is served.
    var cacheTTLSeconds: Double
    /// Default budget of a run that has none of its own.
    var runBudgetUSD: Double?
    /// Budgets per tenant; `*` applies to tenants not listed.
    var tenantBudgets: [String: TenantBudget]

    /// No provider: every request goes to the offline planner (plans) or is refused.
    static let offlineOnly = GatewayConfiguration(
        providers: [:], aliases: [:], timeoutSeconds: 120, maxAttempts: 4, defaultMaxTokens: 1024,
        breakerFailureThreshold: 5, breakerCoolDownSeconds: 30, cacheEnabled: true, cacheTTLSeconds: 86_400,
        runBudgetUSD: nil, tenantBudgets: [:])

    /// Whether any provider besides the offline planner is configured.
    var hasProviders: Bool { aliases.values.contains { $0.contains { $0.provider != Self.offlineProvider } } }

    /// The built-in provider name of the offline planner.
    static let offlineProvider = "offline"

    /// The budget that applies to `tenant`.
    func budget(forTenant tenant: String) -> TenantBudget? {
        tenantBudgets[tenant] ?? tenantBudgets["*"]
    }
}

/// A secret value whose description never shows it.
struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String
    init(_ value: String) { self.value = value }
    var description: String { "[redacted]" }
    var debugDescription: String { "[redacted]" }
    var customMirror: Mirror { Mirror(self, children: ["value": "[redacted]"]) }
}
