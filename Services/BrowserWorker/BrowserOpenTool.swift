import AgentryContracts
import AgentryRuntime
import Foundation

/// `browser.open` {url, selector?} → {url, title, text, truncated}: loads a page in headless
/// Chromium and returns its final URL, its title and the text of the selector's first match
/// (or of the body).
///
/// Failures: `invalid_input` (not an http, https or file URL; an invalid selector),
/// `host_not_allowed` (outside `AGENTRY_BROWSER_ALLOWED_HOSTS`, before or after redirects),
/// `navigation_failed` (network error, retryable; HTTP error status, retryable for 5xx and 429),
/// `selector_not_found` (not retryable), `timeout`, `browser_unavailable`, `browser_error`.
struct BrowserOpenTool: WorkerTool {
    let name = "browser.open"

    /// Loads the pages.
    let opener: any PageOpener
    /// Hosts pages may be opened on.
    let allowedHosts: HostAllowList
    /// The most characters of text returned.
    let maxTextCharacters: Int

    func run(_ request: ToolRequest) async throws -> JSONValue {
        let address = try PageAddress(validating: request.string("url"))
        let selector = try request.optionalString("selector").flatMap { selector in
            let trimmed = selector.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        try checkAllowed(address)
        let pageRequest = PageRequest(
            url: address.url, selector: selector, timeout: Self.pageTimeout(for: request.limits),
            maxTextCharacters: maxTextCharacters)
        let content: PageContent
        do {
            content = try await opener.open(pageRequest)
        } catch let error as BrowserError {
            throw error.toolFailure
        }
        // A redirect may have left the allowed hosts: then the page is not returned.
        if !allowedHosts.allowsAnyHost {
            let finalHost = URLComponents(string: content.url)?.host ?? ""
            guard allowedHosts.permits(host: finalHost) else {
                throw ToolFailure(
                    code: "host_not_allowed",
                    "\(address.url) redirected to \(finalHost.isEmpty ? content.url : finalHost), which is not in \(HostAllowList.variable)",
                    retryable: false)
            }
        }
        return content.json
    }

    /// The time a page gets: 90 % of the step's limit, so the tool reports its own timeout (and
    /// closes the page) before the worker's limit for the whole step runs out.
    static func pageTimeout(for limits: StepLimits) -> Duration {
        .milliseconds(max(1, limits.timeoutSeconds) * 900)
    }

    private func checkAllowed(_ address: PageAddress) throws(ToolFailure) {
        guard !allowedHosts.allowsAnyHost else { return }
        guard let host = address.host else {
            throw ToolFailure(
                code: "host_not_allowed", "file URLs cannot be opened while \(HostAllowList.variable) is set",
                retryable: false)
        }
        guard allowedHosts.permits(host: host) else {
            throw ToolFailure(code: "host_not_allowed", "\(host) is not in \(HostAllowList.variable)", retryable: false)
        }
    }
}
