import AgentryContracts

/// Loads one page in its own browser tab and reads it, over an open ``CDPConnection``.
///
/// The DevTools sequence: `Target.createTarget` (about:blank) → `Target.attachToTarget`
/// (flattened, which yields the session id) → `Inspector.enable`, `Page.enable`, lifecycle
/// events and `Network.enable` → `Page.navigate` (a network failure comes back as `errorText`)
/// → wait for the new document's `load` lifecycle event → check its HTTP status →
/// `Runtime.evaluate` the ``PageScript`` → `Target.closeTarget`, whatever happened.
struct PageSession {
    /// The browser's connection.
    let connection: CDPConnection

    /// Loads `request.url` and reads it. Has no deadline of its own: the caller cancels it.
    func open(_ request: PageRequest) async throws -> PageContent {
        let target = try await connection.send("Target.createTarget", ["url": "about:blank"])
        guard let targetId = target["targetId"]?.stringValue else {
            throw BrowserError(.protocolError, "Target.createTarget returned no targetId", retryable: true)
        }
        defer { connection.post("Target.closeTarget", ["targetId": .string(targetId)]) }
        let attached = try await connection.send("Target.attachToTarget", ["targetId": .string(targetId), "flatten": true])
        guard let sessionId = attached["sessionId"]?.stringValue else {
            throw BrowserError(.protocolError, "Target.attachToTarget returned no sessionId", retryable: true)
        }
        let events = PageEventSink()
        try connection.route(sessionId: sessionId, to: events)
        defer { connection.stopRouting(sessionId: sessionId) }

        try await connection.send("Inspector.enable", sessionId: sessionId)  // reports a renderer crash
        try await connection.send("Page.enable", sessionId: sessionId)
        try await connection.send("Page.setLifecycleEventsEnabled", ["enabled": true], sessionId: sessionId)
        try await connection.send("Network.enable", sessionId: sessionId)
        let navigation = try await connection.send("Page.navigate", ["url": .string(request.url)], sessionId: sessionId)
        let loaderId = navigation["loaderId"]?.stringValue
        if let errorText = navigation["errorText"]?.stringValue, !errorText.isEmpty {
            throw NavigationFailure.error(
                url: request.url, errorText: errorText, status: loaderId.flatMap { events.status(loaderId: $0) })
        }
        if navigation["isDownload"]?.boolValue == true {
            throw BrowserError(.navigationFailed, "\(request.url) is a download, not a page", retryable: false)
        }
        if let loaderId {
            try await events.wait(for: "load", loaderId: loaderId)
            if let status = events.status(loaderId: loaderId), status >= 400 {
                throw NavigationFailure.httpError(url: request.url, status: status)
            }
        }
        let evaluation = try await connection.send(
            "Runtime.evaluate",
            [
                "expression": .string(PageScript.expression(selector: request.selector, maxCharacters: request.maxTextCharacters)),
                "returnByValue": true,
            ],
            sessionId: sessionId)
        return try PageScript.content(from: evaluation, selector: request.selector)
    }
}
