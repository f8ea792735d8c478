import AgentryRuntime
import Foundation

/// `agentry-code-worker`: consumes `work.code` and runs shell and Python snippets.
@main
enum CodeWorkerMain {
    static func main() async {
        do {
            let missing = SpawnSupport.missingRequirements
            guard missing.isEmpty else {
                throw StartupFailure("this C library lacks \(missing.joined(separator: ", "))")
            }
            let configuration = try CodeWorkerConfiguration(environment: ProcessInfo.processInfo.environment)
            // Nothing else runs yet, so these blocking file-system calls hold up no other work.
            let abandoned = WorkingDirectory.removeAbandoned(under: configuration.workRoot)
            let runtime = try await ServiceRuntime.start(name: "code-worker", defaultHTTPPort: 9103, store: .none)
            if !abandoned.isEmpty {
                runtime.logger.notice(
                    "removed working directories of code workers that were killed mid-run",
                    metadata: ["count": "\(abandoned.count)"])
            }
            let python = configuration.resolvedPython()
            runtime.logger.info("code worker configured", metadata: [
                "max.timeout.seconds": "\(configuration.maxTimeoutSeconds)",
                "max.output.bytes": "\(configuration.maxOutputBytes)",
                "shell": "\(configuration.shell)", "python": "\(python ?? "not found: \(configuration.python)")",
                "work.dir": "\(configuration.workRoot)",
            ])
            try await runtime.run([CodeWorker.service(
                configuration: configuration, bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch,
                logger: runtime.logger)])
        } catch {
            FileHandle.standardError.write(Data("code-worker: \(error)\n".utf8))
            exit(1)
        }
    }
}

/// The worker cannot run on this machine.
struct StartupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
