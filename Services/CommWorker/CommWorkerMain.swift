import AgentryChannels
import AgentryRuntime
import AgentryServiceKit
import Foundation

/// The communication worker: consumes `work.comm` and runs `slack.post`, `email.send` and
/// `jira.comment`, each delivered at most once per step through the `deliveries` table.
@main
enum CommWorkerMain {
    static func main() async {
        do {
            // Read the channel settings first, so that a bad value stops the process before it connects.
            let channels = try ChannelsConfiguration(reader: ConfigurationReader())
            let runtime = try await ServiceRuntime.start(name: "comm-worker", defaultHTTPPort: 9105, store: .required)
            runtime.logger.info("outbound channels", metadata: ["channels": "\(channels)"])
            let ledger = DeliveryLedger(
                store: runtime.store, channels: OutboundChannels(configuration: channels), logger: runtime.logger)
            try await runtime.run([
                CommWorker.service(
                    bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch, logger: runtime.logger,
                    deliverer: ledger),
            ])
        } catch {
            FileHandle.standardError.write(Data("comm-worker: \(error)\n".utf8))
            exit(1)
        }
    }
}
