import AgentryRuntime
import Logging
import Metrics

/// The worker's headless Chromium: one browser process, started on first use and again after
/// it dies, with at most ``BrowserConfiguration/maxPages`` pages open at once.
///
/// ```swift
/// let browser = Browser(configuration: configuration, logger: logger)
/// let page = try await browser.open(PageRequest(url: "https://example.com", selector: "h1",
///                                               timeout: .seconds(30), maxTextCharacters: 100_000))
/// await browser.shutdown()
/// ```
actor Browser: PageOpener {
    /// How long Chromium gets to exit on its own at shutdown before its process group is killed.
    static let shutdownGrace = Duration.seconds(5)

    private let executable: String
    private let startTimeout: Duration
    private let logger: Logger
    private let pages: AsyncSemaphore
    private var instance: ChromiumInstance?
    private var launching: Task<ChromiumInstance, any Error>?
    private var isShutDown = false
    /// How many times a browser process was started.
    private(set) var launchCount = 0

    init(configuration: BrowserConfiguration, logger: Logger) {
        self.executable = configuration.chromiumPath
        self.startTimeout = configuration.startTimeout
        self.logger = logger
        self.pages = AsyncSemaphore(permits: configuration.maxPages)
    }

    /// The running browser's process id, if one runs.
    var browserPID: Int32? {
        guard let instance, instance.isAlive else { return nil }
        return instance.process.pid
    }

    /// Loads a page and reads it, in a tab of its own, within `request.timeout` (waiting for a
    /// free page and starting the browser included).
    nonisolated func open(_ request: PageRequest) async throws -> PageContent {
        let started = ContinuousClock.now
        do {
            let content = try await withDeadline(request.timeout, otherwise: {
                BrowserError(.timeout, "\(request.url) did not finish loading within \(request.timeout)", retryable: true)
            }) {
                try await self.pages.withPermit {
                    let instance = try await self.liveInstance()
                    return try await PageSession(connection: instance.connection).open(request)
                }
            }
            record(outcome: "succeeded", since: started)
            return content
        } catch let error as BrowserError {
            record(outcome: error.code.rawValue, since: started)
            throw error
        }
    }

    /// Stops the browser (waiting up to ``shutdownGrace`` for it to exit) and refuses new pages.
    func shutdown() async {
        isShutDown = true
        if let launching, let started = try? await launching.value {
            await started.terminate(grace: Self.shutdownGrace)
        }
        if let instance {
            await instance.terminate(grace: Self.shutdownGrace)
            logger.info("browser stopped", metadata: ["browser.pid": "\(instance.process.pid)"])
        }
        instance = nil
    }

    /// The running browser, starting one if none runs (or the last one died).
    private func liveInstance() async throws -> ChromiumInstance {
        if isShutDown { throw BrowserError(.shutDown, "the browser worker is shutting down", retryable: true) }
        if let instance, instance.isAlive { return instance }
        if let launching { return try await launching.value }
        // No suspension between here and `launching = task`, so concurrent callers share one launch.
        let dead = instance
        instance = nil
        if let dead {
            logger.warning("browser died; starting a new one", metadata: [
                "browser.pid": "\(dead.process.pid)", "browser.exit": "\(dead.process.exitDescription ?? "pipe closed")",
            ])
        }
        let executable = self.executable
        let startTimeout = self.startTimeout
        let logger = self.logger
        let task = Task {
            if let dead { await dead.terminate(grace: .seconds(1)) }
            return try await ChromiumInstance.launch(executable: executable, startTimeout: startTimeout, logger: logger)
        }
        launching = task
        launchCount += 1
        Counter(label: "agentry_browser_launches_total").increment()
        defer { launching = nil }
        let started = try await task.value
        if isShutDown {
            await started.terminate(grace: Self.shutdownGrace)
            throw BrowserError(.shutDown, "the browser worker is shutting down", retryable: true)
        }
        instance = started
        return started
    }

    private nonisolated func record(outcome: String, since started: ContinuousClock.Instant) {
        Counter(label: "agentry_browser_pages_total", dimensions: [("outcome", outcome)]).increment()
        Timer(label: "agentry_browser_page_seconds", preferredDisplayUnit: .seconds).record(duration: started.duration(to: .now))
    }
}
