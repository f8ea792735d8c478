@testable import AgentryCodeWorker
import AgentryContracts
import AgentryRuntime
import AgentryTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// `shell.run` and `python.run` end to end: real child processes, real pipes, real signals.
@Suite struct CodeWorkerToolTests {
    @Test func shellScriptReportsItsOutputAndExitCode() async throws {
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
            ["script": "echo out; echo err >&2; printf 'no newline'"]))
        #expect(output["exitCode"] == 0)
        #expect(output["stdout"] == "out\nno newline")
        #expect(output["stderr"] == "err\n")
        #expect(output["truncated"] == false)
    }

    @Test func nonZeroExitIsANonRetryableFailureWithTheTailOfStandardError() async throws {
        let noise = String(repeating: "warning: something minor\n", count: 200)
        let failure = try await CodeWorkerFixture.failure {
            try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
                ["script": .string("printf '\(noise)' >&2; echo 'fatal: the real reason' >&2; exit 3")]))
        }
        #expect(failure.code == "nonzero_exit")
        #expect(!failure.retryable)
        #expect(failure.message.hasPrefix("exited with status 3"))
        #expect(failure.message.hasSuffix("fatal: the real reason"))
        #expect(failure.message.count < 1_200)
    }

    @Test func aSignalledScriptIsANonZeroExit() async throws {
        let failure = try await CodeWorkerFixture.failure {
            try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(["script": "kill -SEGV $$"]))
        }
        #expect(failure.code == "nonzero_exit")
        #expect(failure.message.contains("signal \(SIGSEGV)"))
    }

    @Test func standardInputReachesTheScript() async throws {
        let text = "line one\nline two ✓\n"
        let shell = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
            ["script": "read first; echo \"first: $first\"; cat", "stdin": .string(text)]))
        #expect(shell["stdout"] == "first: line one\nline two ✓\n")
        let python = try await CodeWorkerFixture.python().run(CodeWorkerFixture.request(
            ["code": "import sys\nprint(sys.stdin.read().upper(), end='')", "stdin": .string(text)], tool: "python.run"))
        #expect(python["stdout"] == .string(text.uppercased()))
    }

    @Test func withoutStdinTheScriptReadsEndOfFile() async throws {
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(["script": "cat; echo done"]))
        #expect(output["stdout"] == "done\n")
    }

    @Test func pythonRunsCodeAndReportsTracebacks() async throws {
        let output = try await CodeWorkerFixture.python().run(CodeWorkerFixture.request(
            ["code": "import json\nprint(json.dumps({'sum': sum(range(10))}))"], tool: "python.run"))
        #expect(output["stdout"] == "{\"sum\": 45}\n")
        let failure = try await CodeWorkerFixture.failure {
            try await CodeWorkerFixture.python().run(CodeWorkerFixture.request(
                ["code": "print('before')\n1 / 0"], tool: "python.run"))
        }
        #expect(failure.code == "nonzero_exit")
        #expect(failure.message.contains("exited with status 1"))
        #expect(failure.message.contains("ZeroDivisionError"))
    }

    @Test func theEnvironmentIsMinimalAndNeverLeaksTheWorkersVariables() async throws {
        setenv("AGENTRY_CODE_TEST_SECRET", "hunter2-\(UUID().uuidString)", 1)
        defer { unsetenv("AGENTRY_CODE_TEST_SECRET") }
        let secret = try #require(ProcessInfo.processInfo.environment["AGENTRY_CODE_TEST_SECRET"])
        let key = "run-9/fetch/" + UUID().uuidString
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
            ["script": "env; echo \"pwd=$(pwd)\""], idempotencyKey: key, stepId: "fetch"))
        let stdout = try #require(output["stdout"]?.stringValue)
        #expect(!stdout.contains(secret))
        #expect(!stdout.contains("AGENTRY_CODE_TEST_SECRET"))
        let variables = Dictionary(
            stdout.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let equals = line.firstIndex(of: "=") else { return nil }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            }, uniquingKeysWith: { first, _ in first })
        #expect(variables["AGENTRY_IDEMPOTENCY_KEY"] == key)
        #expect(variables["AGENTRY_STEP_ID"] == "fetch")
        #expect(variables["PATH"] == "/usr/local/bin:/usr/bin:/bin")
        #expect(variables["LANG"] == "C.UTF-8")
        #expect(variables["HOME"] != nil && variables["HOME"] == variables["pwd"])
        #expect(variables["TMPDIR"] == variables["HOME"])
        let agentry = variables.keys.filter { $0.hasPrefix("AGENTRY_") }.sorted()
        #expect(agentry == ["AGENTRY_IDEMPOTENCY_KEY", "AGENTRY_STEP_ID"])
        // Only what the worker sets, plus what the shell itself adds (PWD, SHLVL, ...).
        let inherited = Set(ProcessInfo.processInfo.environment.keys)
            .subtracting(["PATH", "HOME", "LANG", "TMPDIR", "PWD", "SHLVL", "_", "OLDPWD"])
        #expect(Set(variables.keys).isDisjoint(with: inherited))
    }

    @Test func theTimeLimitKillsTheScriptAndReportsANonRetryableTimeout() async throws {
        let started = ContinuousClock.now
        let failure = try await CodeWorkerFixture.failure {
            try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
                ["script": "echo working >&2; sleep 3600 & sleep 3600"], limits: StepLimits(timeoutSeconds: 3)))
        }
        let elapsed = started.duration(to: .now)
        #expect(failure.code == "timeout")
        #expect(!failure.retryable)
        #expect(failure.message.contains("time limit of 3 s"))
        #expect(failure.message.hasSuffix("working"))
        // Far below the script's hour (loose: a loaded machine can hold the test back for seconds).
        #expect(elapsed < .seconds(120))
    }

    @Test func theWorkersMaximumCapsTheStepsTimeLimit() async throws {
        let started = ContinuousClock.now
        let failure = try await CodeWorkerFixture.failure {
            try await CodeWorkerFixture.shell(CodeWorkerFixture.configuration(maxTimeoutSeconds: 1)).run(
                CodeWorkerFixture.request(["script": "sleep 3600"], limits: StepLimits(timeoutSeconds: 3600)))
        }
        #expect(failure.code == "timeout")
        #expect(started.duration(to: .now) < .seconds(120))
    }

    @Test func outputIsCappedPerStreamAndMarkedTruncated() async throws {
        let tool = CodeWorkerFixture.shell(CodeWorkerFixture.configuration(maxOutputBytes: 1_000))
        let output = try await tool.run(CodeWorkerFixture.request(
            ["script": "head -c 500000 /dev/zero | tr '\\0' a; seq 1 20000 >&2"]))
        let stdout = try #require(output["stdout"]?.stringValue)
        let stderr = try #require(output["stderr"]?.stringValue)
        #expect(stdout == String(repeating: "a", count: 1_000))
        #expect(stderr.utf8.count <= 1_000 && stderr.utf8.count > 900)
        #expect(stderr.hasSuffix("19999\n20000\n"))
        #expect(output["truncated"] == true)
        #expect(output["exitCode"] == 0)
    }

    @Test func aStepsOutputLimitBoundsTheWholeEncodedOutput() async throws {
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
            ["script": "seq 1 5000; seq 1 5000 >&2"], limits: StepLimits(timeoutSeconds: 30, maxOutputBytes: 2_000)))
        #expect(CodeToolOutput.encodedSize(output) <= 2_000)
        #expect(output["truncated"] == true)
        #expect(output["stdout"]?.stringValue?.hasPrefix("1\n2\n3\n") == true)
        #expect(output["stderr"]?.stringValue?.hasSuffix("4999\n5000\n") == true)
    }

    @Test func backgroundJobsDieWithTheScript() async throws {
        let started = ContinuousClock.now
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
            ["script": "sleep 3600 & echo $!"]))
        #expect(started.duration(to: .now) < .seconds(120))
        let pids = CodeWorkerFixture.pids(in: output["stdout"]?.stringValue ?? "")
        #expect(pids.count == 1)
        for pid in pids {
            try await eventually("the background sleep was killed", timeout: .seconds(30)) {
                CodeWorkerFixture.hasExited(pid)
            }
        }
    }

    @Test func theWorkingDirectoryIsPrivateAndRemovedEvenWhenLocked() async throws {
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(["script": """
            pwd; stat -c %a .
            mkdir -p deep/er/still && echo data > deep/er/still/file && ln -s / deep/root-link
            chmod 0 deep/er/still deep/er
            """]))
        let lines = (output["stdout"]?.stringValue ?? "").split(separator: "\n").map(String.init)
        let directory = try #require(lines.first)
        let root = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        #expect(directory.hasPrefix(root + "agentry-code-\(getpid())-"))
        #expect(lines.dropFirst().first == "700")
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(FileManager.default.fileExists(atPath: "/bin/sh"))  // the symbolic link's target survived
    }

    @Test func cancellingTheTaskKillsTheScript() async throws {
        let marker = NSTemporaryDirectory() + "/agentry-cancel-\(UUID().uuidString)"
        defer { unlink(marker) }
        let tool = CodeWorkerFixture.shell()
        let request = CodeWorkerFixture.request(["script": .string("echo $$ > '\(marker)'; sleep 3600")])
        let task = Task { try await tool.run(request) }
        try await eventually("the script started", timeout: .seconds(30)) {
            (try? String(contentsOfFile: marker, encoding: .utf8))?.hasSuffix("\n") == true
        }
        let pid = try #require(CodeWorkerFixture.pids(in: try String(contentsOfFile: marker, encoding: .utf8)).first)
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(cancelled.duration(to: .now) < .seconds(120))
        #expect(CodeWorkerFixture.hasExited(pid))
    }

    @Test func concurrentRunsDoNotHoldEachOthersPipes() async throws {
        let tool = CodeWorkerFixture.shell()
        // The slow run lasts until the test opens its gate, after the quick ones.
        let gate = NSTemporaryDirectory() + "/agentry-gate-\(UUID().uuidString)"
        defer { unlink(gate) }
        let slowDone = Atomic<Bool>(false)
        let slow = Task {
            defer { slowDone.store(true, ordering: .sequentiallyConsistent) }  // however it ends
            return try await tool.run(CodeWorkerFixture.request(
                ["script": .string("while [ ! -e '\(gate)' ]; do sleep 0.05; done; echo slow")]))
        }
        try await withThrowingTaskGroup(of: JSONValue.self) { group in
            for index in 0..<4 {
                group.addTask { try await tool.run(CodeWorkerFixture.request(["script": .string("echo \(index)")])) }
            }
            var seen: Set<String> = []
            for try await output in group { seen.insert(output["stdout"]?.stringValue ?? "") }
            #expect(seen == ["0\n", "1\n", "2\n", "3\n"])
        }
        // A leaked write end would hold each quick run until the slow one ended: they must all be
        // done while it still runs.
        let slowEndedFirst = slowDone.load(ordering: .sequentiallyConsistent)
        #expect(!slowEndedFirst)
        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(try await slow.value["stdout"] == "slow\n")
    }

    @Test func longScriptsRunFromAFile() async throws {
        let body = String(repeating: "x=$((x + 1))\n", count: 12_000)
        let output = try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(
            ["script": .string("x=0\n" + body + "echo \"$x\"")]))
        #expect(output["stdout"] == "12000\n")
    }

    static let invalidInputs: [(JSONValue, String)] = [
        ([:], "input.script"),
        (["script": ""], "input.script"),
        (["script": 42], "input.script"),
        (["script": "true", "stdin": 7], "input.stdin"),
    ]

    @Test(arguments: invalidInputs)
    func invalidInputIsRejected(input: JSONValue, mentions: String) async throws {
        let failure = try await CodeWorkerFixture.failure {
            try await CodeWorkerFixture.shell().run(CodeWorkerFixture.request(input))
        }
        #expect(failure.code == "invalid_input")
        #expect(!failure.retryable)
        #expect(failure.message.contains(mentions))
    }

    @Test func aMissingInterpreterIsReportedClearly() async throws {
        var configuration = CodeWorkerFixture.configuration()
        configuration.python = "python-that-does-not-exist"
        let failure = try await CodeWorkerFixture.failure {
            try await CodeTool(.python, configuration: configuration).run(
                CodeWorkerFixture.request(["code": "print(1)"], tool: "python.run"))
        }
        #expect(failure.code == "interpreter_unavailable")
        #expect(!failure.retryable)
    }

    @Test(arguments: [
        (1, 600, Duration.milliseconds(900)),
        (0, 600, Duration.milliseconds(900)),
        (5, 600, Duration.milliseconds(4_500)),
        (300, 600, Duration.seconds(299)),
        (900, 600, Duration.seconds(600)),
    ])
    func theTimeLimitStopsJustBeforeTheWorkersOwnTimer(step: Int, maximum: Int, expected: Duration) {
        #expect(CodeTool.timeLimit(stepSeconds: step, maxSeconds: maximum) == expected)
    }
}

/// The code tools inside the worker service that carries them out, over the in-memory bus.
@Suite struct CodeWorkerServiceTests {
    func handle(_ tool: String, _ input: JSONValue, limits: StepLimits) async throws -> EnvelopePayload? {
        let bus = InMemoryBus()
        let service = CodeWorker.service(
            configuration: CodeWorkerFixture.configuration(), bus: bus, prefetch: 1, logger: CodeWorkerFixture.logger)
        let item = WorkItem(
            stepId: "step", specialist: .code, tool: tool, input: input, limits: limits, idempotencyKey: "key",
            risk: .high)
        try await service.handle(Envelope(tenant: "test", runId: UUID(), stepId: "step", payload: .workItem(item)))
        return bus.published.last?.envelope.payload
    }

    @Test func aSuccessfulRunIsAStepCompleted() async throws {
        let payload = try await handle("python.run", ["code": "print('hi')"], limits: StepLimits(timeoutSeconds: 30))
        guard case .stepCompleted(let completed)? = payload else {
            Issue.record("expected step.completed, got \(String(describing: payload))")
            return
        }
        #expect(completed.output == ["exitCode": 0, "stdout": "hi\n", "stderr": "", "truncated": false])
        #expect(completed.idempotencyKey == "key")
    }

    @Test func theToolsOwnTimeoutWinsOverTheWorkersTimer() async throws {
        let payload = try await handle("shell.run", ["script": "sleep 30"], limits: StepLimits(timeoutSeconds: 1))
        guard case .stepFailed(let failed)? = payload else {
            Issue.record("expected step.failed, got \(String(describing: payload))")
            return
        }
        #expect(failed.code == "timeout")
        #expect(!failed.retryable)
    }
}
