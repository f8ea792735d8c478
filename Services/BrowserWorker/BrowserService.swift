import ServiceLifecycle

/// Owns the browser's lifetime in the service group: it runs until shutdown begins, then stops
/// Chromium. Listed before the worker, it is stopped after the worker has finished its steps.
struct BrowserService: Service {
    let browser: Browser

    func run() async {
        // Returns when graceful shutdown begins; throws when the group is cancelled instead.
        try? await gracefulShutdown()
        await browser.shutdown()
    }
}
