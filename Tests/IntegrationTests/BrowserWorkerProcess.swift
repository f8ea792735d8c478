import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The worker executable running as a child process, its output in a log file.
final class BrowserWorkerProcess: Sendable {
    let pid: pid_t
    let logFile: String

    /// Starts `agentry-browser-worker` (from `AGENTRY_BIN_DIR`, default `.build/debug`) on `amqpURL`.
    init(amqpURL: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let binDirectory = ProcessInfo.processInfo.environment["AGENTRY_BIN_DIR"] ?? "\(root)/.build/debug"
        let executable = binDirectory + "/agentry-browser-worker"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BrowserTestFailure("\(executable) is missing: run swift build first")
        }
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("browser-worker-\(UUID().uuidString).log").path
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AGENTRY_") || $0.key == "AGENTRY_CHROMIUM_PATH" }
        environment["AGENTRY_AMQP_URL"] = amqpURL
        environment["AGENTRY_HTTP_PORT"] = "0"
        environment["AGENTRY_LOG_FORMAT"] = "text"
        environment["AGENTRY_SHUTDOWN_GRACE_SECONDS"] = "10"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var arguments = [strdup(executable)] + [nil]
        var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, &arguments, &cEnvironment)
        guard status == 0 else { throw BrowserTestFailure("cannot start \(executable): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Sends `signal` and waits for the process to exit (SIGKILL after 20 s); returns its exit status.
    @discardableResult
    func stop(signal: Int32) async -> Int32 {
        kill(pid, signal)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1 { return -1 }
            if ContinuousClock.now > deadline { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Deletes the log (kept when a test fails, for a look).
    func removeLog() {
        try? FileManager.default.removeItem(atPath: logFile)
    }

    /// The end of the worker's log, for failure messages.
    func logTail() -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(30).joined(separator: "\n")
    }
}
