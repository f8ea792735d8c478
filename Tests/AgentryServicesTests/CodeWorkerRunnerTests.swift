@testable import AgentryCodeWorker
import AgentryTestSupport
import Foundation
import Glibc
import Testing

/// The process layer under the tools: process groups, time limits, output capture and cleanup.
@Suite struct CodeWorkerRunnerTests {
    let runner = ScriptRunner(workRoot: NSTemporaryDirectory())

    func job(_ script: String, timeout: Duration = .seconds(30), outputLimit: Int = 65_536) -> ScriptJob {
        ScriptJob(
            executable: "/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"],
            timeout: timeout, outputLimit: outputLimit)
    }

    @Test func aTimeoutKillsTheChildAndItsGrandchildrenQuickly() async throws {
        let started = ContinuousClock.now
        let outcome = try await runner.run(job(
            "sleep 30 & echo $!; sh -c 'sleep 30 & echo $!; sleep 30' & echo $!; echo $$; wait",
            timeout: .seconds(3)))  // room for the shells to print their pids on a loaded machine
        let elapsed = started.duration(to: .now)
        #expect(outcome.timedOut)
        #expect(!outcome.cancelled)
        #expect(outcome.termination == .signalled(SIGKILL))
        #expect(outcome.exitCode == 128 + Int(SIGKILL))
        // Without killing the whole process group the shell would wait out its 30 s sleeps; the
        // bound leaves room for a loaded machine.
        #expect(elapsed < .seconds(20))
        let pids = CodeWorkerFixture.pids(in: outcome.standardOutput.text)
        #expect(pids.count == 4)
        for pid in pids {
            try await eventually("process \(pid) was killed", timeout: .seconds(30)) { CodeWorkerFixture.hasExited(pid) }
        }
        #expect(outcome.workingDirectoryRemoved)
        #expect(!FileManager.default.fileExists(atPath: outcome.workingDirectory))
    }

    @Test func exitStatusAndElapsedTimeAreReported() async throws {
        let outcome = try await runner.run(job("sleep 0.2; exit 7"))
        #expect(outcome.termination == .exited(7))
        #expect(outcome.exitCode == 7)
        #expect(!outcome.timedOut)
        #expect(outcome.elapsed >= .milliseconds(200) && outcome.elapsed < .seconds(10))
    }

    @Test func aScriptThatClosesItsOutputIsStillWaitedFor() async throws {
        let outcome = try await runner.run(job("echo early; exec >&- 2>&-; sleep 0.3; exit 4"))
        #expect(outcome.standardOutput.text == "early\n")
        #expect(outcome.termination == .exited(4))
        #expect(outcome.elapsed >= .milliseconds(300))
    }

    @Test func aMissingProgramFailsToSpawn() async throws {
        var missing = job("true")
        missing.executable = "/nonexistent/agentry-interpreter"
        let error = await #expect(throws: SpawnFailure.self) { try await runner.run(missing) }
        #expect(error?.code == ENOENT)
        #expect(error?.isTransient == false)
    }

    @Test func filesAreWrittenIntoTheWorkingDirectory() async throws {
        var withFile = job("cat data.txt; ls -A")
        withFile.files = ["data.txt": Array("payload\n".utf8)]
        withFile.standardInput = Array("ignored".utf8)
        let outcome = try await runner.run(withFile)
        // The standard input's backing file is unlinked before the script starts.
        #expect(outcome.standardOutput.text == "payload\ndata.txt\n")
    }

    @Test func workingDirectoriesOfDeadWorkersAreRemovedAtStartUp() throws {
        let root = NSTemporaryDirectory() + "/agentry-abandoned-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dead = root + "/agentry-code-\(Int32.max)-a1b2c3"  // no process has this pid
        let live = root + "/agentry-code-\(getpid())-d4e5f6"
        let unrelated = root + "/agentry-code-notapid-g7h8i9"
        for directory in [dead + "/nested/deeper", live, unrelated] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try "left over".write(toFile: dead + "/nested/deeper/file", atomically: false, encoding: .utf8)
        _ = chmod(dead + "/nested", 0)
        #expect(WorkingDirectory.removeAbandoned(under: root) == [dead])
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: unrelated))
    }

    @Test func aStreamOfOutputDoesNotStarveTheTimeLimit() async throws {
        let started = ContinuousClock.now
        let outcome = try await runner.run(job("yes agentry", timeout: .seconds(2), outputLimit: 1_000))
        #expect(outcome.timedOut)
        #expect(started.duration(to: .now) < .seconds(20))
        #expect(outcome.standardOutput.bytes.count == 1_000)
        #expect(outcome.standardOutput.totalBytes > 1_000)
        #expect(outcome.standardOutput.truncated)
    }
}

/// Capturing the head or tail of a stream and cutting UTF-8 cleanly.
@Suite struct CodeWorkerOutputCaptureTests {
    func capture(_ chunks: [String], limit: Int, keep: OutputCapture.Keep) -> OutputCapture {
        var capture = OutputCapture(limit: limit, keep: keep)
        for chunk in chunks { Array(chunk.utf8).withUnsafeBytes { capture.append($0) } }
        return capture
    }

    @Test func headKeepsTheFirstBytes() {
        let result = capture(["hello ", "world", "!"], limit: 8, keep: .head)
        #expect(result.text == "hello wo")
        #expect(result.totalBytes == 12)
        #expect(result.truncated)
    }

    @Test func tailKeepsTheLastBytes() {
        let result = capture((1...1_000).map { "\($0)\n" }, limit: 10, keep: .tail)
        #expect(result.text == "\n999\n1000\n")
        #expect(result.truncated)
    }

    @Test func withinTheLimitNothingIsTruncated() {
        let result = capture(["abc", "def"], limit: 6, keep: .tail)
        #expect(result.text == "abcdef")
        #expect(!result.truncated)
    }

    @Test func aCharacterCutAtTheEdgeIsDroppedWhole() {
        // "é" is two bytes, "✓" three, "𝄞" four.
        #expect(capture(["aé"], limit: 2, keep: .head).text == "a")
        #expect(capture(["ab✓"], limit: 4, keep: .head).text == "ab")
        #expect(capture(["ab𝄞"], limit: 5, keep: .head).text == "ab")
        #expect(capture(["ab𝄞"], limit: 6, keep: .head).text == "ab𝄞")
        #expect(capture(["✓ab"], limit: 4, keep: .tail).text == "ab")
        #expect(capture(["𝄞ab"], limit: 5, keep: .tail).text == "ab")
        #expect(capture(["é✓"], limit: 3, keep: .tail).text == "✓")
    }

    @Test func invalidBytesBecomeReplacementCharacters() {
        var capture = OutputCapture(limit: 10, keep: .head)
        [UInt8]([0x61, 0xff, 0x62]).withUnsafeBytes { capture.append($0) }
        #expect(capture.text == "a\u{FFFD}b")
    }

    @Test func fittingTheOutputKeepsItUnderTheStepsLimit() {
        let output = CodeToolOutput(
            exitCode: 0, standardOutput: Array(String(repeating: "o✓\"/", count: 2_000).utf8),
            standardError: Array(String(repeating: "e\n", count: 3_000).utf8), truncated: false)
        for limit in [100, 500, 4_000] {
            let fitted = output.json(fittingIn: limit)
            #expect(CodeToolOutput.encodedSize(fitted) <= limit)
            #expect(fitted["truncated"] == true)
        }
        #expect(output.json(fittingIn: nil) == output.json)
        #expect(output.json(fittingIn: 1_000_000) == output.json)
        // Both streams keep a fair share: the head of stdout, the tail of stderr.
        let shared = output.json(fittingIn: 1_000)
        let stdout = shared["stdout"]?.stringValue ?? ""
        let stderr = shared["stderr"]?.stringValue ?? ""
        #expect(stdout.hasPrefix("o✓\"/") && stdout.count > 50)
        #expect(stderr.hasSuffix("e\ne\n") && stderr.count > 150)
        // A short stream is kept whole and the long one gets the rest.
        let short = CodeToolOutput(
            exitCode: 0, standardOutput: Array("done\n".utf8),
            standardError: Array(String(repeating: "x", count: 5_000).utf8), truncated: false)
        let kept = short.json(fittingIn: 1_000)
        #expect(kept["stdout"] == "done\n")
        #expect(CodeToolOutput.encodedSize(kept) > 990 && CodeToolOutput.encodedSize(kept) <= 1_000)
        // Not even the fixed members fit: empty streams.
        #expect(short.json(fittingIn: 10)["stdout"] == "")
    }
}

/// Reading the code worker's variables.
@Suite struct CodeWorkerConfigurationTests {
    @Test func defaults() throws {
        let configuration = try CodeWorkerConfiguration(environment: [:])
        #expect(configuration == CodeWorkerConfiguration())
    }

    @Test func variablesOverrideTheDefaults() throws {
        let configuration = try CodeWorkerConfiguration(environment: [
            "AGENTRY_CODE_MAX_TIMEOUT_SECONDS": "30", "AGENTRY_CODE_MAX_OUTPUT_BYTES": "2048",
            "AGENTRY_CODE_SHELL": "/bin/bash", "AGENTRY_CODE_PYTHON": "/usr/bin/python3",
            "AGENTRY_CODE_PATH": "/usr/bin", "AGENTRY_CODE_LANG": "en_US.UTF-8", "TMPDIR": "/var/tmp",
        ])
        #expect(configuration == CodeWorkerConfiguration(
            maxTimeoutSeconds: 30, maxOutputBytes: 2_048, shell: "/bin/bash", python: "/usr/bin/python3",
            searchPath: "/usr/bin", locale: "en_US.UTF-8", workRoot: "/var/tmp"))
        #expect(configuration.resolvedPython() == "/usr/bin/python3")
    }

    @Test(arguments: [
        ("AGENTRY_CODE_MAX_TIMEOUT_SECONDS", "0"),
        ("AGENTRY_CODE_MAX_OUTPUT_BYTES", "lots"),
        ("AGENTRY_CODE_SHELL", "sh"),
        ("AGENTRY_CODE_WORK_DIR", "/nonexistent/agentry"),
    ])
    func invalidValuesNameTheirVariable(key: String, value: String) {
        let error = #expect(throws: (any Error).self) { try CodeWorkerConfiguration(environment: [key: value]) }
        #expect("\(error.map { "\($0)" } ?? "")".hasPrefix("\(key): "))
    }

    @Test func pythonIsFoundOnTheScriptsPath() {
        let configuration = CodeWorkerConfiguration(searchPath: "/nonexistent:/usr/bin")
        #expect(configuration.resolvedPython() == "/usr/bin/python3")
        #expect(CodeWorkerConfiguration(searchPath: "/nonexistent").resolvedPython() == nil)
    }
}
