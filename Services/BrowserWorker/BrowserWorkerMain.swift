import AgentryRuntime
import Foundation

/// `agentry-browser-worker`: consumes `work.browser` and opens pages in headless Chromium.
@main
enum BrowserWorkerMain {
    static func main() async {
        do {
            let configuration = try BrowserConfiguration(environment: ProcessInfo.processInfo.environment)
            let runtime = try await ServiceRuntime.start(name: "browser-worker", defaultHTTPPort: 9106, store: .none)
            runtime.logger.info("browser worker configured", metadata: [
                "chromium.path": "\(configuration.chromiumPath)", "browser.max_pages": "\(configuration.maxPages)",
                "browser.allowed_hosts": "\(configuration.allowedHosts.allowsAnyHost ? "any" : "restricted")",
            ])
            let built = BrowserWorker.services(
                configuration: configuration, bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch,
                logger: runtime.logger)
            do {
                try await runtime.run(built.services)
            } catch {
                await built.browser.shutdown()
                throw error
            }
            await built.browser.shutdown()
        } catch {
            FileHandle.standardError.write(Data("browser-worker: \(error)\n".utf8))
            exit(1)
        }
    }
}
