import AgentryContracts
import AgentryHTTP
import AgentryServiceKit
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import Synchronization

@testable import AgentryModelGateway

/// A model router over a ``FakeModelProvider``: providers `oa` (OpenAI wire format) and `an`
/// (Anthropic wire format) point at the fake; each test names its own models and scripts them.
struct ModelGatewayFixture {
    static let openAIKey = "sk-test-OPENAI-9f8e7d6c5b4a"
    static let anthropicKey = "sk-ant-test-ANTHROPIC-1a2b3c4d"

    let fake: FakeModelProvider
    let client: HTTPClient
    let logs: CapturedLogs

    /// Runs `body` with a started fake provider and a fresh HTTP client; stops both afterwards.
    static func with<T>(_ body: (ModelGatewayFixture) async throws -> T) async throws -> T {
        let fake = try await FakeModelProvider.start()
        let client = HTTPClient()
        let fixture = ModelGatewayFixture(fake: fake, client: client, logs: CapturedLogs())
        do {
            let result = try await body(fixture)
            await client.shutdown()
            await fake.stop()
            return result
        } catch {
            await client.shutdown()
            await fake.stop()
            throw error
        }
    }

    /// The configuration JSON with the fake's base URLs; `aliases` is the `aliases` object's JSON.
    func configurationJSON(aliases: String, extra: String = "") -> String {
        """
        {"providers": [
            {"name": "oa", "kind": "openai", "baseURL": "\(fake.openAIBaseURL)", "apiKeyEnv": "TEST_OPENAI_KEY"},
            {"name": "an", "kind": "anthropic", "baseURL": "\(fake.anthropicBaseURL)", "apiKeyEnv": "TEST_ANTHROPIC_KEY"}],
         "aliases": \(aliases)\(extra.isEmpty ? "" : ", " + extra)}
        """
    }

    /// A parsed configuration (keys from the fixture's fake environment).
    func configuration(aliases: String, extra: String = "") throws -> GatewayConfiguration {
        try GatewayConfiguration.parse(Data(configurationJSON(aliases: aliases, extra: extra).utf8)) { name in
            ["TEST_OPENAI_KEY": Self.openAIKey, "TEST_ANTHROPIC_KEY": Self.anthropicKey][name]
        }
    }

    /// A router for the configuration, logging into ``logs``.
    func router(aliases: String, extra: String = "", store: GatewayStore? = nil) throws -> ModelRouter {
        let configuration = try configuration(aliases: aliases, extra: extra)
        return ModelRouter(
            configuration: configuration, providers: ModelGatewayMain.makeProviders(configuration, client: client),
            store: store, logger: logs.logger())
    }

    /// An entry's JSON: `provider`/`model` with a context window and prices per million tokens.
    static func entry(
        _ provider: String, _ model: String, window: Int = 100_000, input: Double = 2, output: Double = 8,
        _ extra: String = ""
    ) -> String {
        #"{"provider": "\#(provider)", "model": "\#(model)", "contextWindow": \#(window), "inputPerMillion": \#(input), "outputPerMillion": \#(output)\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    static func request(_ text: String = "Summarise the incident", alias: String = "chat", cache: Bool = false,
                        maxTokens: Int? = 100) -> ModelRequest {
        ModelRequest(alias: alias, messages: [.system("Be brief."), .user(text)], maxTokens: maxTokens, cache: cache)
    }

    static func caller(runId: UUID? = nil, tenant: String = "acme") -> ModelRouter.Caller {
        ModelRouter.Caller(requestId: UUID(), tenant: tenant, runId: runId, stepId: runId == nil ? nil : "summarise")
    }
}

/// Log lines written through the service's JSON log handler, kept for assertions.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "model-gateway") { label in
            AgentryLogHandler(label: label, format: .json, level: .trace, output: LogOutput { line in
                self.lines.withLock { $0.append(line) }
            }, metadataProvider: nil, now: { Date() })
        }
    }
}
