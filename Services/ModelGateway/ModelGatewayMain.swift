import AgentryRuntime
import Foundation

/// The model gateway: serves `model.request` envelopes. This build has no model provider; plans
/// come from the built-in, deterministic, offline planner (see ``OfflinePlanner``).
@main
enum ModelGatewayMain {
    static func main() async {
        do {
            let runtime = try await ServiceRuntime.start(name: "model-gateway", defaultHTTPPort: 9102, store: .none)
            let handler = ModelRequestHandler(bus: runtime.bus, logger: runtime.logger)
            runtime.logger.info("serving model requests with the offline planner; no model provider is configured")
            try await runtime.run([
                EnvelopeConsumer(
                    queue: ModelRequestHandler.queue, bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch,
                    logger: runtime.logger, handler: handler.handle),
            ])
        } catch {
            FileHandle.standardError.write(Data("model-gateway: \(error)\n".utf8))
            exit(1)
        }
    }
}
