import AgentryChannels
import AgentryRuntime
import AgentryServiceKit
import Foundation

/// The notifier: answers each run's source when the run completes, fails or waits for approval.
@main
enum NotifierMain {
    static func main() async {
        do {
            // Read the channel settings first, so that a bad value stops the process before it connects.
            let channels = try ChannelsConfiguration(reader: ConfigurationReader())
            let runtime = try await ServiceRuntime.start(name: "notifier", defaultHTTPPort: 9108, store: .required)
            runtime.logger.info("outbound channels", metadata: ["channels": "\(channels)"])
            let notifier = Notifier(
                runs: PostgresNotifierRunStore(store: runtime.store, logger: runtime.logger),
                deliverer: DeliveryLedger(
                    store: runtime.store, channels: OutboundChannels(configuration: channels), logger: runtime.logger),
                logger: runtime.logger)
            try await runtime.run([notifier.service(bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch)])
        } catch {
            FileHandle.standardError.write(Data("notifier: \(error)\n".utf8))
            exit(1)
        }
    }
}
