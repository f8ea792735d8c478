@testable import AgentryCodeWorker
import AgentryContracts
import AgentryRuntime
import Foundation
import Glibc
import Logging

/// Requests, configurations and process checks for the code worker's tests.
enum CodeWorkerFixture {
    static let logger = Logger(label: "code-worker-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A configuration for tests: small output cap where asked, everything else the defaults.
    static func configuration(maxOutputBytes: Int = 65_536, maxTimeoutSeconds: Int = 600) -> CodeWorkerConfiguration {
        CodeWorkerConfiguration(
            maxTimeoutSeconds: maxTimeoutSeconds, maxOutputBytes: maxOutputBytes,
            workRoot: NSTemporaryDirectory())
    }

    static func shell(_ configuration: CodeWorkerConfiguration = configuration()) -> CodeTool {
        CodeTool(.shell, configuration: configuration)
    }

    static func python(_ configuration: CodeWorkerConfiguration = configuration()) -> CodeTool {
        CodeTool(.python, configuration: configuration)
    }

    /// A work item's request with `input`.
    static func request(
        _ input: JSONValue, tool: String = "shell.run", limits: StepLimits = StepLimits(timeoutSeconds: 30),
        idempotencyKey: String = "run-1/step-1/" + UUID().uuidString, stepId: String = "step-1"
    ) -> ToolRequest {
        let item = WorkItem(
            stepId: stepId, specialist: .code, tool: tool, input: input, limits: limits,
            idempotencyKey: idempotencyKey, risk: .high)
        let envelope = Envelope(tenant: "test", runId: UUID(), stepId: stepId, payload: .workItem(item))
        return ToolRequest(input: input, item: item, envelope: envelope, logger: logger)
    }

    /// Runs `body`, which must throw a ``ToolFailure``, and returns it.
    static func failure(_ body: () async throws -> JSONValue) async throws -> ToolFailure {
        do {
            let output = try await body()
            throw UnexpectedOutput(output: output)
        } catch let failure as ToolFailure {
            return failure
        }
    }

    struct UnexpectedOutput: Error, CustomStringConvertible {
        let output: JSONValue
        var description: String { "expected a ToolFailure, got output \(output)" }
    }

    /// True when `pid` no longer runs: gone, or a zombie waiting for whoever inherited it.
    static func hasExited(_ pid: pid_t) -> Bool {
        if kill(pid, 0) == -1 && errno == ESRCH { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state == "Z" || state == "X"
    }

    /// The pids a script printed, one per line.
    static func pids(in text: String) -> [pid_t] {
        text.split(whereSeparator: \.isNewline).compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }
}
