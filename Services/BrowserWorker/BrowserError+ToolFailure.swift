import AgentryRuntime

extension BrowserError {
    /// The failure reported to the director in `step.failed`.
    ///
    /// Failures of the browser itself (it would not start, it died, it spoke garbage) are
    /// `browser_unavailable` / `browser_error` and retryable: the next attempt gets a fresh
    /// browser. Failures of the page keep their own code.
    var toolFailure: ToolFailure {
        switch code {
        case .launchFailed, .browserExited, .shutDown:
            return ToolFailure(code: "browser_unavailable", message, retryable: true)
        case .protocolError, .commandFailed, .pageClosed:
            return ToolFailure(code: "browser_error", message, retryable: true)
        case .navigationFailed:
            return ToolFailure(code: "navigation_failed", message, retryable: retryable)
        case .selectorNotFound:
            return ToolFailure(code: "selector_not_found", message, retryable: false)
        case .invalidSelector:
            return ToolFailure(code: "invalid_input", message, retryable: false)
        case .timeout:
            return ToolFailure(code: "timeout", message, retryable: true)
        }
    }
}
