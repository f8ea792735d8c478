@testable import AgentryBrowserWorker
import AgentryContracts
import AgentryRuntime
import AgentryTestSupport
import Foundation
import Logging
import Testing

@Suite struct BrowserToolTests {
    private static func request(_ input: JSONValue, timeoutSeconds: Int = 30) -> ToolRequest {
        let item = WorkItem(
            stepId: "read", specialist: .browser, tool: "browser.open", input: input,
            limits: StepLimits(timeoutSeconds: timeoutSeconds), idempotencyKey: "run/read", risk: .low)
        let envelope = Envelope(tenant: "acme", runId: UUID(), stepId: "read", payload: .workItem(item))
        return ToolRequest(input: input, item: item, envelope: envelope, logger: Logger(label: "browser-tool-tests"))
    }

    private static func tool(_ opener: BrowserRecordingPageOpener, allowedHosts: String = "", maxText: Int = 1000) throws -> BrowserOpenTool {
        BrowserOpenTool(opener: opener, allowedHosts: try HostAllowList(parsing: allowedHosts), maxTextCharacters: maxText)
    }

    private static func failure(_ body: () async throws -> JSONValue) async -> ToolFailure? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? ToolFailure
        }
    }

    @Test func passesTheRequestOnAndReturnsThePage() async throws {
        let opener = BrowserRecordingPageOpener(.success(PageContent(url: "https://example.com/final", title: "T", text: "body", truncated: false)))
        let tool = try Self.tool(opener, maxText: 777)
        let output = try await tool.run(Self.request(["url": " https://example.com/start ", "selector": "  h1 "], timeoutSeconds: 10))
        #expect(output == ["url": "https://example.com/final", "title": "T", "text": "body", "truncated": false])
        #expect(opener.requests == [PageRequest(url: "https://example.com/start", selector: "h1", timeout: .seconds(9), maxTextCharacters: 777)])
        #expect(tool.name == "browser.open")
    }

    @Test func anEmptySelectorMeansTheBody() async throws {
        let opener = BrowserRecordingPageOpener(.success(PageContent(url: "http://a/", title: "", text: "", truncated: false)))
        _ = try await Self.tool(opener).run(Self.request(["url": "http://a/", "selector": " "]))
        _ = try await Self.tool(opener).run(Self.request(["url": "http://a/", "selector": .null]))
        #expect(opener.requests.map(\.selector) == [nil, nil])
    }

    @Test(arguments: [
        ["selector": "h1"] as JSONValue,
        ["url": ""],
        ["url": 42],
        ["url": "http://a/", "selector": 1],
        ["url": "no scheme at all"],
        ["url": "example.com/page"],
        ["url": "ftp://example.com/file"],
        ["url": "javascript:alert(1)"],
        ["url": "data:text/html,<p>hi</p>"],
        ["url": "chrome://settings"],
        ["url": "http:///only-a-path"],
        ["url": "file://fileserver/share/report.html"],
    ])
    func invalidInputNeverReachesTheBrowser(_ input: JSONValue) async throws {
        let opener = BrowserRecordingPageOpener(.failure(BrowserError(.protocolError, "must not be called", retryable: true)))
        let failure = await Self.failure { try await Self.tool(opener).run(Self.request(input)) }
        #expect(failure?.code == "invalid_input")
        #expect(failure?.retryable == false)
        #expect(opener.requests.isEmpty)
    }

    @Test func theAllowListIsCheckedBeforeAndAfterLoading() async throws {
        let opener = BrowserRecordingPageOpener(.success(PageContent(url: "https://evil.example/landing", title: "", text: "", truncated: false)))
        let tool = try Self.tool(opener, allowedHosts: "docs.example.com *.example.org")

        let outside = await Self.failure { try await tool.run(Self.request(["url": "https://example.net/"])) }
        #expect(outside?.code == "host_not_allowed")
        #expect(outside?.retryable == false)
        let file = await Self.failure { try await tool.run(Self.request(["url": "file:///etc/passwd"])) }
        #expect(file?.code == "host_not_allowed")
        #expect(opener.requests.isEmpty)

        // Allowed at the start, but the page ended up elsewhere: its text is not returned.
        let redirected = await Self.failure { try await tool.run(Self.request(["url": "https://docs.example.com/a"])) }
        #expect(redirected?.code == "host_not_allowed")
        #expect(redirected?.message.contains("evil.example") == true)
        #expect(opener.requests.count == 1)

        opener.result = .success(PageContent(url: "https://www.example.org/b", title: "ok", text: "t", truncated: false))
        let allowed = try await tool.run(Self.request(["url": "https://DOCS.example.com/a"]))
        #expect(allowed["title"] == "ok")
    }

    @Test func fileURLsAreAllowedWithoutAnAllowList() async throws {
        let opener = BrowserRecordingPageOpener(.success(PageContent(url: "file:///srv/r.html", title: "r", text: "x", truncated: false)))
        _ = try await Self.tool(opener).run(Self.request(["url": "file:///srv/r.html"]))
        _ = try await Self.tool(opener).run(Self.request(["url": "file://localhost/srv/r.html"]))
        #expect(opener.requests.count == 2)
    }

    @Test(arguments: [
        (BrowserError(.selectorNotFound, "no element", retryable: false), "selector_not_found", false),
        (BrowserError(.invalidSelector, "bad css", retryable: false), "invalid_input", false),
        (BrowserError(.navigationFailed, "refused", retryable: true), "navigation_failed", true),
        (BrowserError(.navigationFailed, "HTTP 404", retryable: false), "navigation_failed", false),
        (BrowserError(.timeout, "slow", retryable: true), "timeout", true),
        (BrowserError(.launchFailed, "no chromium", retryable: true), "browser_unavailable", true),
        (BrowserError(.browserExited, "gone", retryable: true), "browser_unavailable", true),
        (BrowserError(.shutDown, "stopping", retryable: true), "browser_unavailable", true),
        (BrowserError(.pageClosed, "crashed", retryable: true), "browser_error", true),
        (BrowserError(.protocolError, "garbage", retryable: true), "browser_error", true),
        (BrowserError(.commandFailed, "refused", retryable: true), "browser_error", true),
    ])
    func browserErrorsBecomeToolFailures(_ error: BrowserError, _ code: String, _ retryable: Bool) async throws {
        let opener = BrowserRecordingPageOpener(.failure(error))
        let failure = await Self.failure { try await Self.tool(opener).run(Self.request(["url": "https://example.com/"])) }
        #expect(failure?.code == code)
        #expect(failure?.retryable == retryable)
        #expect(failure?.message == error.message)
    }

    @Test func thePageGetsNinetyPercentOfTheStepsTime() {
        #expect(BrowserOpenTool.pageTimeout(for: StepLimits(timeoutSeconds: 300)) == .seconds(270))
        #expect(BrowserOpenTool.pageTimeout(for: StepLimits(timeoutSeconds: 2)) == .milliseconds(1800))
        #expect(BrowserOpenTool.pageTimeout(for: StepLimits(timeoutSeconds: 0)) == .milliseconds(900))
    }

    @Test(arguments: [
        ("net::ERR_CONNECTION_REFUSED", nil as Int?, true),
        ("net::ERR_NAME_NOT_RESOLVED", nil, true),
        ("net::ERR_CONNECTION_RESET", nil, true),
        ("net::ERR_TIMED_OUT", nil, true),
        ("net::ERR_UNSAFE_PORT", nil, false),
        ("net::ERR_CERT_AUTHORITY_INVALID", nil, false),
        ("net::ERR_FILE_NOT_FOUND", nil, false),
        ("net::ERR_ABORTED", nil, false),
        ("net::ERR_HTTP_RESPONSE_CODE_FAILURE", 404, false),
        ("net::ERR_HTTP_RESPONSE_CODE_FAILURE", 503, true),
        ("net::ERR_HTTP_RESPONSE_CODE_FAILURE", 429, true),
    ])
    func navigationFailuresKnowWhetherToRetry(_ errorText: String, _ status: Int?, _ retryable: Bool) {
        let error = NavigationFailure.error(url: "http://x/", errorText: errorText, status: status)
        #expect(error.code == .navigationFailed)
        #expect(error.retryable == retryable)
        if let status { #expect(error.message.contains("HTTP \(status)")) } else { #expect(error.message.contains(errorText)) }
    }

    @Test func theScriptEmbedsAnySelectorAsAStringLiteral() throws {
        let hostile = #"a"); fetch("//evil") ; ("\ </script>"#
        let expression = PageScript.expression(selector: hostile, maxCharacters: 10)
        let literal = PageScript.javaScriptString(hostile)
        #expect(expression.contains("const selector = \(literal);"))
        #expect(try JSONDecoder().decode(String.self, from: Data(literal.utf8)) == hostile)
        #expect(expression.contains("const limit = 10;"))
        #expect(PageScript.expression(selector: nil, maxCharacters: 5).contains("const selector = null;"))
    }

    @Test func readsTheScriptsResult() throws {
        let ok: JSONValue = ["result": ["type": "object", "value": [
            "outcome": "ok", "url": "https://a/", "title": "A", "text": "hello", "truncated": true,
        ]]]
        #expect(try PageScript.content(from: ok, selector: nil) == PageContent(url: "https://a/", title: "A", text: "hello", truncated: true))

        let missing: JSONValue = ["result": ["type": "object", "value": ["outcome": "selector_not_found"]]]
        let notFound = #expect(throws: BrowserError.self) { try PageScript.content(from: missing, selector: "#price") }
        #expect(notFound?.code == .selectorNotFound)
        #expect(notFound?.retryable == false)
        #expect(notFound?.message.contains("#price") == true)

        let invalid: JSONValue = ["result": ["type": "object", "value": ["outcome": "invalid_selector", "message": "not valid"]]]
        #expect((#expect(throws: BrowserError.self) { try PageScript.content(from: invalid, selector: "[[") })?.code == .invalidSelector)

        let thrown: JSONValue = ["result": ["type": "object"], "exceptionDetails": ["text": "Uncaught", "exception": ["description": "TypeError: x"]]]
        let exception = #expect(throws: BrowserError.self) { try PageScript.content(from: thrown, selector: nil) }
        #expect(exception?.code == .protocolError)
        #expect(exception?.message.contains("TypeError: x") == true)

        #expect(throws: BrowserError.self) { try PageScript.content(from: ["result": ["type": "undefined"]], selector: nil) }
    }
}
