import AgentryAudit
import AgentryRuntime
import Foundation

/// `agentry-audit-writer`: appends every fact on `agentry.events` to the hash-chained audit log.
@main
enum AuditWriterMain {
    static func main() async {
        do {
            let runtime = try await ServiceRuntime.start(name: "audit-writer", defaultHTTPPort: 9107, store: .required)
            let configuration = try AuditWriterConfiguration(environment: ProcessInfo.processInfo.environment)
            runtime.logger.info("audit writer configured", metadata: [
                "queue": "\(configuration.queue)", "batch.size": "\(configuration.batchSize)",
                "batch.window": "\(configuration.batchWindow)", "prefetch": "\(configuration.prefetch)",
            ])
            try await runtime.run([
                AuditWriterService(
                    configuration: configuration, bus: runtime.bus, sink: AuditLog(client: runtime.store),
                    logger: runtime.logger),
            ])
        } catch {
            FileHandle.standardError.write(Data("audit-writer: \(error)\n".utf8))
            exit(1)
        }
    }
}
