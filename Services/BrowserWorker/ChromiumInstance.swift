import AgentryContracts
import AgentryRuntime
import Foundation
import Logging

/// A started Chromium: its process and its DevTools connection.
final class ChromiumInstance: Sendable {
    /// The browser process.
    let process: ChromiumProcess
    /// The DevTools connection over the process's pipes.
    let connection: CDPConnection
    /// Chromium's product string, e.g. `Chrome/124.0.6367.207`.
    let product: String

    private init(process: ChromiumProcess, connection: CDPConnection, product: String) {
        self.process = process
        self.connection = connection
        self.product = product
    }

    /// True while the browser runs and its connection is open.
    var isAlive: Bool { connection.isOpen && !process.hasExited }

    /// Starts Chromium and waits until it answers `Browser.getVersion`; downloads are denied.
    ///
    /// - Throws: ``BrowserError/Code/launchFailed`` (with the end of Chromium's log) if it does not
    ///   answer within `startTimeout`.
    static func launch(executable: String, startTimeout: Duration, logger: Logger) async throws -> ChromiumInstance {
        let exit = ChromiumExitRelay()
        let process = try ChromiumProcess.spawn(executable: executable) { description in exit.fire(description) }
        let connection = CDPConnection(readFD: process.eventsFD, writeFD: process.commandsFD, logger: logger)
        exit.connect { description in
            connection.close(BrowserError(.browserExited, "Chromium exited (\(description))", retryable: true))
        }
        connection.start()
        do {
            let version = try await withDeadline(startTimeout, otherwise: {
                BrowserError(.launchFailed, "Chromium did not answer within \(startTimeout)", retryable: true)
            }) {
                let version = try await connection.send("Browser.getVersion")
                try await connection.send("Browser.setDownloadBehavior", ["behavior": "deny"])
                return version
            }
            let instance = ChromiumInstance(
                process: process, connection: connection, product: version["product"]?.stringValue ?? "unknown")
            logger.info("browser started", metadata: ["browser.pid": "\(process.pid)", "browser.product": "\(instance.product)"])
            return instance
        } catch {
            let tail = process.logTail()
            connection.close(BrowserError(.launchFailed, "Chromium did not start", retryable: true))
            process.killGroup()
            await process.waitForExit()
            let reason = (error as? BrowserError)?.message ?? "\(error)"
            let exited = process.exitDescription.map { " (it exited: \($0))" } ?? ""
            throw BrowserError(
                .launchFailed, "cannot start Chromium at \(executable): \(reason)\(exited)"
                    + (tail.isEmpty ? "" : "; its last output: \(tail)"),
                retryable: true)
        }
    }

    /// Stops the browser: closes its command pipe (Chromium exits on its own), waits up to
    /// `grace`, then kills its process group. Returns once it was reaped, or at once if the
    /// calling task is cancelled (the reaper still reaps it). Calling it again is harmless.
    func terminate(grace: Duration) async {
        connection.close(BrowserError(.shutDown, "the browser is shutting down", retryable: true))
        if await !process.waitForExit(within: grace) {
            process.killGroup()
            await process.waitForExit()
        }
    }
}
