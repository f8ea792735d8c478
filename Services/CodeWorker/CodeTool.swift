import AgentryContracts
import AgentryRuntime
import Foundation
import Glibc
import Logging
import Metrics

/// `shell.run` {script, stdin?} and `python.run` {code, stdin?}: runs the snippet as a child
/// process and returns `{exitCode, stdout, stderr, truncated}`.
///
/// Each run gets a private temporary working directory (also its `HOME` and `TMPDIR`), removed
/// afterwards, and a minimal environment: `PATH`, `HOME`, `TMPDIR`, `LANG`, plus
/// `AGENTRY_IDEMPOTENCY_KEY` and `AGENTRY_STEP_ID` so a script can make its own side effects
/// idempotent. Nothing of the worker's environment (its `AGENTRY_*` settings, its secrets) is passed.
///
/// Failures: a non-zero exit is `nonzero_exit` (its message ends with the tail of standard error),
/// running past the time limit is `timeout` (the whole process group is killed), both
/// non-retryable. Bubblewrap sandboxing (no network, read-only system) is not applied yet.
struct CodeTool: WorkerTool {
    /// The two languages, each its own tool.
    enum Language: Sendable {
        case shell
        case python

        /// The tool's name in plans.
        var toolName: String {
            switch self {
            case .shell: "shell.run"
            case .python: "python.run"
            }
        }

        /// The input member holding the source.
        var sourceKey: String {
            switch self {
            case .shell: "script"
            case .python: "code"
            }
        }
    }

    /// Longer shell scripts go through a file: one `argv` string may hold at most 128 KiB on Linux.
    static let inlineScriptLimit = 100_000

    let language: Language
    let configuration: CodeWorkerConfiguration
    /// The interpreter's absolute path; nil when it is not installed (every run then fails).
    let interpreter: String?
    let runner: ScriptRunner

    var name: String { language.toolName }

    /// A tool for `language`; the interpreter is located once, here.
    init(_ language: Language, configuration: CodeWorkerConfiguration, runner: ScriptRunner? = nil) {
        self.language = language
        self.configuration = configuration
        self.runner = runner ?? ScriptRunner(workRoot: configuration.workRoot)
        switch language {
        case .shell: interpreter = access(configuration.shell, X_OK) == 0 ? configuration.shell : nil
        case .python: interpreter = configuration.resolvedPython()
        }
    }

    func run(_ request: ToolRequest) async throws -> JSONValue {
        let source = try request.string(language.sourceKey)
        let input = try request.optionalString("stdin")
        guard let interpreter else {
            let wanted = language == .shell ? configuration.shell : configuration.python
            throw ToolFailure(
                code: "interpreter_unavailable", "\(wanted) is not installed on this code worker", retryable: false)
        }
        let job = makeJob(source: source, input: input, interpreter: interpreter, request: request)
        let outcome: ScriptOutcome
        do {
            outcome = try await runner.run(job)
        } catch let failure as SpawnFailure {
            record("spawn_failed", elapsed: nil)
            throw ToolFailure(
                code: "spawn_failed", "could not start \(interpreter): \(failure)", retryable: failure.isTransient)
        }
        if !outcome.workingDirectoryRemoved {
            request.logger.warning("working directory left behind", metadata: ["path": "\(outcome.workingDirectory)"])
        }
        request.logger.debug("script ended", metadata: [
            "exit.code": "\(outcome.exitCode)", "duration.ms": "\(outcome.elapsed.milliseconds)",
            "stdout.bytes": "\(outcome.standardOutput.totalBytes)",
            "stderr.bytes": "\(outcome.standardError.totalBytes)",
        ])
        if outcome.cancelled {
            record("cancelled", elapsed: outcome.elapsed)
            throw CancellationError()
        }
        if outcome.timedOut {
            record("timeout", elapsed: outcome.elapsed)
            throw ToolFailure(
                code: "timeout",
                "the \(language == .shell ? "script" : "code") ran past its time limit of "
                    + "\(min(max(1, request.limits.timeoutSeconds), configuration.maxTimeoutSeconds)) s and was killed "
                    + "with every process it started" + Self.tail(of: outcome),
                retryable: false)
        }
        guard outcome.exitCode == 0 else {
            record("nonzero_exit", elapsed: outcome.elapsed)
            throw ToolFailure(
                code: "nonzero_exit", Self.exitDescription(outcome) + Self.tail(of: outcome), retryable: false)
        }
        record("succeeded", elapsed: outcome.elapsed)
        return CodeToolOutput(outcome: outcome).json(fittingIn: request.limits.maxOutputBytes)
    }

    /// `setpriv`, when installed, to make the interpreter die with the worker.
    static let deathSignalWrapper: String? = ["/usr/bin/setpriv", "/bin/setpriv"].first { access($0, X_OK) == 0 }

    /// The job for one request: program, arguments, files, environment and limits.
    func makeJob(source: String, input: String?, interpreter: String, request: ToolRequest) -> ScriptJob {
        var arguments: [String]
        var files: [String: [UInt8]] = [:]
        let program = String(interpreter.split(separator: "/").last ?? Substring(interpreter))
        switch language {
        case .shell:
            if source.utf8.count <= Self.inlineScriptLimit && !source.utf8.contains(0) {
                arguments = [program, "-c", source]
            } else {
                files["script.sh"] = Array(source.utf8)
                arguments = [program, "script.sh"]
            }
        case .python:
            files["main.py"] = Array(source.utf8)
            arguments = [program, "main.py"]
        }
        let environment = [
            "PATH": configuration.searchPath,
            "LANG": configuration.locale,
            "AGENTRY_IDEMPOTENCY_KEY": Self.withoutNUL(request.idempotencyKey),
            "AGENTRY_STEP_ID": Self.withoutNUL(request.item.stepId),
        ]
        var executable = interpreter
        // The interpreter dies with the worker (util-linux's setpriv sets PR_SET_PDEATHSIG before it
        // execs the interpreter), so a worker killed mid-step does not leave the script to finish
        // its side effects behind the redelivered step's back. Processes the script itself starts
        // are not covered; the bubblewrap sandbox (--die-with-parent) will take over this job.
        if let setpriv = Self.deathSignalWrapper {
            arguments = ["setpriv", "--pdeathsig", "KILL", "--", interpreter] + arguments.dropFirst()
            executable = setpriv
        }
        return ScriptJob(
            executable: executable, arguments: arguments, files: files, environment: environment,
            standardInput: input.map { Array($0.utf8) },
            timeout: Self.timeLimit(
                stepSeconds: request.limits.timeoutSeconds, maxSeconds: configuration.maxTimeoutSeconds),
            outputLimit: min(request.limits.maxOutputBytes ?? configuration.maxOutputBytes, configuration.maxOutputBytes))
    }

    /// The wall-clock limit of a run: the step's `timeoutSeconds`, capped by the worker's maximum.
    ///
    /// When the step's own limit applies, the run stops a little earlier (a tenth, at most a second)
    /// so that this tool, not the worker's outer timer on the same limit, ends the step and reports
    /// the non-retryable `timeout`.
    static func timeLimit(stepSeconds: Int, maxSeconds: Int) -> Duration {
        let step = max(1, stepSeconds)
        guard step <= maxSeconds else { return .seconds(maxSeconds) }
        let limit = Duration.seconds(step)
        return limit - min(.seconds(1), limit / 10)
    }

    private func record(_ outcome: String, elapsed: Duration?) {
        Counter(label: "agentry_code_runs_total", dimensions: [("tool", name), ("outcome", outcome)]).increment()
        if let elapsed {
            Metrics.Timer(
                label: "agentry_code_run_seconds", dimensions: [("tool", name)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(elapsed.nanoseconds)
        }
    }

    private static func exitDescription(_ outcome: ScriptOutcome) -> String {
        switch outcome.termination {
        case .exited(let status):
            return "exited with status \(status)"
        case .signalled(let signal):
            let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
            return "was killed by signal \(signal) (\(name))"
        case .unknown:
            return "ended with an unknown status"
        }
    }

    /// `: <the last lines of standard error>`, or of standard output when standard error is empty.
    static func tail(of outcome: ScriptOutcome, characters: Int = 1_000) -> String {
        let errors = outcome.standardError.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let (label, text) = errors.isEmpty
            ? ("stdout", outcome.standardOutput.text.trimmingCharacters(in: .whitespacesAndNewlines))
            : ("stderr", errors)
        guard !text.isEmpty else { return " (no output)" }
        let tail = text.count > characters ? "…" + text.suffix(characters - 1) : Substring(text)
        return "; \(label):\n\(tail)"
    }

    private static func withoutNUL(_ text: String) -> String {
        text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "") : text
    }
}
