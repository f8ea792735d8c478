/// A failure while driving Chromium: launching it, talking to it over the DevTools pipe, or
/// loading and reading a page.
///
/// ``code`` is short and stable (safe as a metric label); ``message`` explains it to the operator
/// and to the planner that reads the step's failure.
struct BrowserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    enum Code: String, Sendable, Equatable {
        /// Chromium could not be started, or did not answer in time after starting.
        case launchFailed = "launch_failed"
        /// The browser process exited (or closed its pipe) while a request was in flight.
        case browserExited = "browser_exited"
        /// The page's renderer crashed or its target went away.
        case pageClosed = "page_closed"
        /// Chromium sent bytes that are not a DevTools message, or a reply of an unexpected shape.
        case protocolError = "protocol_error"
        /// Chromium answered a command with a DevTools error.
        case commandFailed = "command_failed"
        /// The page did not load: a network error or an HTTP error status.
        case navigationFailed = "navigation_failed"
        /// The CSS selector matched no element.
        case selectorNotFound = "selector_not_found"
        /// The CSS selector is not valid CSS.
        case invalidSelector = "invalid_selector"
        /// The page did not load (or answer) within the step's time.
        case timeout = "timeout"
        /// The worker is shutting down and takes no new pages.
        case shutDown = "shut_down"
    }

    /// What went wrong.
    let code: Code
    /// Why, in a sentence.
    let message: String
    /// Whether another attempt may succeed.
    let retryable: Bool

    init(_ code: Code, _ message: String, retryable: Bool) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    var description: String { "\(code.rawValue): \(message)" }
}
