import AgentryHTTP
import AgentryRuntime
import AgentryServiceKit
import Foundation
import Logging
import ServiceLifecycle

/// The model gateway: serves `model.request` envelopes through the providers, aliases and budgets
/// of `AGENTRY_MODEL_CONFIG_FILE` (see `docs/configuration.md`). With no configuration, plans come
/// from the built-in, deterministic, offline planner (see ``OfflinePlanner``), so a fresh machine
/// runs without any key.
@main
enum ModelGatewayMain {
    static func main() async {
        do {
            let environment = ProcessInfo.processInfo.environment
            let configuration = try GatewayConfiguration.load(environment: environment)
            let runtime = try await ServiceRuntime.start(name: "model-gateway", defaultHTTPPort: 9102, store: .required)
            let client = HTTPClient()
            let router = ModelRouter(
                configuration: configuration, providers: makeProviders(configuration, client: client),
                store: GatewayStore(client: runtime.store), logger: runtime.logger)
            let handler = ModelRequestHandler(bus: runtime.bus, router: router, logger: runtime.logger)
            if configuration.hasProviders {
                runtime.logger.info("serving model requests", metadata: [
                    "model.aliases": "\(configuration.aliases.keys.sorted().joined(separator: ","))",
                    "model.providers": "\(configuration.providers.keys.sorted().joined(separator: ","))",
                ])
            } else {
                runtime.logger.info("serving model requests with the offline planner; no model provider is configured")
            }
            try await runtime.run([
                EnvelopeConsumer(
                    queue: ModelRequestHandler.queue, bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch,
                    logger: runtime.logger, handler: handler.handle),
                CachePurger(store: GatewayStore(client: runtime.store), logger: runtime.logger),
            ])
            await client.shutdown()
        } catch {
            FileHandle.standardError.write(Data("model-gateway: \(error)\n".utf8))
            exit(1)
        }
    }

    /// An adapter per configured provider, all sharing one HTTP client (one libcurl multi thread).
    static func makeProviders(_ configuration: GatewayConfiguration, client: HTTPClient) -> [String: any ModelProvider] {
        var providers: [String: any ModelProvider] = [:]
        for (name, provider) in configuration.providers {
            switch provider.kind {
            case .openai:
                providers[name] = OpenAIChatProvider(
                    baseURL: provider.baseURL, apiKey: provider.apiKey?.value, extraHeaders: provider.headers, client: client)
            case .anthropic:
                providers[name] = AnthropicMessagesProvider(
                    baseURL: provider.baseURL, apiKey: provider.apiKey?.value, version: provider.anthropicVersion,
                    extraHeaders: provider.headers, client: client)
            case .offline:
                continue
            }
        }
        return providers
    }
}

/// Deletes expired cache rows every few minutes.
struct CachePurger: Service {
    let store: GatewayStore
    let logger: Logger
    var interval: Duration = .seconds(300)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await store.purgeExpiredCache()
                    if purged > 0 { logger.debug("expired model replies purged", metadata: ["count": "\(purged)"]) }
                } catch {
                    logger.warning("expired model replies could not be purged", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
