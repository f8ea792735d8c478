import AgentryRuntime
import Foundation

/// `agentry-data-worker`: consumes `work.data` and answers read-only SQL queries.
@main
enum DataWorkerMain {
    static func main() async {
        do {
            let configuration = try DataWorkerConfiguration(environment: ProcessInfo.processInfo.environment)
            let runtime = try await ServiceRuntime.start(name: "data-worker", defaultHTTPPort: 9104, store: .none)
            let sources = DataSources(configuration.sources, poolSize: configuration.poolSize, logger: runtime.logger)
            if configuration.sources.isEmpty {
                runtime.logger.warning(
                    "no data sources are configured: every sql.query step will fail (set AGENTRY_DATA_SOURCES)")
            }
            runtime.logger.info("data worker configured", metadata: [
                "sources": "\(configuration.sources.map { "\($0.name)=\($0.configuration)" }.joined(separator: ", "))",
                "statement.timeout.ms": "\(configuration.statementTimeoutMilliseconds)",
                "max.rows": "\(configuration.maxRows)",
            ])
            do {
                try await runtime.run([DataWorker.service(
                    configuration: configuration, sources: sources, bus: runtime.bus,
                    prefetch: runtime.configuration.broker.prefetch, logger: runtime.logger)])
            } catch {
                await sources.close()
                throw error
            }
            await sources.close()
        } catch {
            FileHandle.standardError.write(Data("data-worker: \(error)\n".utf8))
            exit(1)
        }
    }
}
