import AgentryBus
import AgentryContracts
import AgentryRuntime
import Logging
import ServiceLifecycle

/// Builds the browser worker's services, so tests can run them in-process.
enum BrowserWorker {
    /// The services, in start order: the browser, then the `work.browser` consumer with the
    /// `browser.open` tool. The consumer takes at most `maxPages` deliveries at a time (fewer if
    /// `prefetch` is lower), so steps do not sit here while other replicas are idle.
    static func services(
        configuration: BrowserConfiguration, bus: any MessageBus, prefetch: Int, logger: Logger
    ) -> (browser: Browser, services: [any Service]) {
        let browser = Browser(configuration: configuration, logger: logger)
        let tool = BrowserOpenTool(
            opener: browser, allowedHosts: configuration.allowedHosts, maxTextCharacters: configuration.maxTextCharacters)
        let worker = WorkerService(
            specialist: .browser, bus: bus, prefetch: min(prefetch, configuration.maxPages), logger: logger, tools: [tool])
        return (browser, [BrowserService(browser: browser), worker])
    }
}
