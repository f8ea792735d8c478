@testable import AgentryBrowserWorker
import AgentryContracts
import AgentryRuntime
import AgentryTestSupport
import Foundation
import Logging
import Testing

/// Chromium, pages and requests for the browser worker's integration tests.
///
/// The tests run whenever Chromium is installed. Under `scripts/test` (`AGENTRY_REQUIRE_STACK=1`)
/// they always run, and fail when Chromium is missing instead of being skipped.
enum BrowserFixture {
    static let logger: Logger = {
        var logger = Logger(label: "browser-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Whether the suite runs: the stack is required, or a Chromium executable is present.
    static var shouldRun: Bool {
        TestStack.isRequired || (try? configuration()) != nil
    }

    /// The configuration from the test environment (`AGENTRY_CHROMIUM_PATH` or `PATH`).
    ///
    /// - Throws: the ``ConfigurationError`` saying Chromium is missing.
    static func configuration(maxPages: Int = 4, maxTextCharacters: Int = 100_000, allowedHosts: String = "")
        throws -> BrowserConfiguration
    {
        var configuration = try BrowserConfiguration(environment: ProcessInfo.processInfo.environment)
        configuration.maxPages = maxPages
        configuration.maxTextCharacters = maxTextCharacters
        configuration.allowedHosts = try HostAllowList(parsing: allowedHosts)
        return configuration
    }

    /// Runs `body` with a browser and the `browser.open` tool over it, then shuts the browser down.
    static func withBrowser<T>(
        maxPages: Int = 4, maxTextCharacters: Int = 100_000, allowedHosts: String = "",
        _ body: (Browser, BrowserOpenTool) async throws -> T
    ) async throws -> T {
        let configuration = try configuration(
            maxPages: maxPages, maxTextCharacters: maxTextCharacters, allowedHosts: allowedHosts)
        let browser = Browser(configuration: configuration, logger: logger)
        let tool = BrowserOpenTool(
            opener: browser, allowedHosts: configuration.allowedHosts, maxTextCharacters: configuration.maxTextCharacters)
        do {
            let result = try await body(browser, tool)
            await browser.shutdown()
            return result
        } catch {
            await browser.shutdown()
            throw error
        }
    }

    /// A `browser.open` work item and its tool request.
    static func request(_ input: JSONValue, timeoutSeconds: Int = 60) -> ToolRequest {
        let item = WorkItem(
            stepId: "read-page", specialist: .browser, tool: "browser.open", input: input,
            limits: StepLimits(timeoutSeconds: timeoutSeconds, maxAttempts: 3), idempotencyKey: "run-1/read-page",
            risk: .low)
        let envelope = Envelope(tenant: "acme", runId: UUID(), stepId: "read-page", payload: .workItem(item))
        return ToolRequest(input: input, item: item, envelope: envelope, logger: logger)
    }

    /// Runs `body`, which must fail with a ``ToolFailure``, and returns it.
    static func failure(_ body: () async throws -> JSONValue) async throws -> ToolFailure {
        do {
            let output = try await body()
            Issue.record("expected a failure, got \(output)")
            throw BrowserTestFailure("expected a failure")
        } catch let failure as ToolFailure {
            return failure
        }
    }

    /// True while a process with this id exists (zombies included).
    static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Ids of the live (not zombie) processes in process group `group`, from /proc.
    static func processes(inGroup group: Int32) -> [Int32] {
        liveProcesses().filter { $0.group == group }.map(\.pid)
    }

    /// Ids of the live (not zombie) children of `parent`, from /proc.
    static func children(of parent: Int32) -> [Int32] {
        liveProcesses().filter { $0.parent == parent }.map(\.pid)
    }

    private static func liveProcesses() -> [(pid: Int32, parent: Int32, group: Int32)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).compactMap { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "(comm)": state, ppid, pgrp, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", let parent = Int32(fields[1]), let group = Int32(fields[2]) else {
                return nil
            }
            return (pid, parent, group)
        }
    }
}
