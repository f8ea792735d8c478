import AgentryRuntime
import Foundation

/// The ingest gateway: the HTTP edge that turns API calls and signed Slack events into
/// `run.requested` envelopes, records approval decisions and shows runs.
@main
enum IngestMain {
    static func main() async {
        do {
            // Read first, so a mistake in the gateway's own settings stops it before it connects anywhere.
            let configuration = try IngestConfiguration(environment: ProcessInfo.processInfo.environment)
            let runtime = try await ServiceRuntime.start(name: "ingest", defaultHTTPPort: 9100, store: .required)
            runtime.logger.info("ingest configuration", metadata: ["configuration": "\(configuration)"])
            if configuration.slackSigningSecret == nil {
                runtime.logger.warning("AGENTRY_SLACK_SIGNING_SECRET is not set: POST /v1/webhooks/slack answers 404")
            }
            let api = IngestAPI(
                configuration: configuration, bus: runtime.bus, store: PostgresRunStore(client: runtime.store),
                logger: runtime.logger)
            try await runtime.run([IngestServer(api: api)])
        } catch {
            FileHandle.standardError.write(Data("ingest: \(error)\n".utf8))
            exit(1)
        }
    }
}
