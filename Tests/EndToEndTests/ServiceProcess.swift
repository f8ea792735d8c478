import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One Agentry service running as a separate process, its output appended to a log file.
final class ServiceProcess: Sendable {
    let name: String
    let executable: String
    let environment: [String: String]
    let logFile: String
    private let pidState = Mutex<pid_t>(0)

    init(name: String, executable: String, environment: [String: String], logFile: String) {
        self.name = name
        self.executable = executable
        self.environment = environment
        self.logFile = logFile
    }

    var pid: pid_t { pidState.withLock { $0 } }

    /// Starts the process in its own process group with stdout and stderr appended to the log.
    func start() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = [executable]
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, &cEnvironment)
        guard status == 0 else { throw SystemError("cannot start \(executable): \(String(cString: strerror(status)))") }
        pidState.withLock { $0 = pid }
    }

    /// Sends `signal` to the process and waits (up to `timeout`) until it has exited; SIGKILL after that.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async {
        let pid = self.pid
        guard pid > 0 else { return }
        kill(pid, signal)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if reap(pid) { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        if !reap(pid) {
            kill(pid, SIGKILL)
            while !reap(pid) { try? await Task.sleep(for: .milliseconds(20)) }
        }
        // Whatever the service started (a script, a browser) goes with it.
        kill(-pid, SIGKILL)
        pidState.withLock { $0 = 0 }
    }

    /// `kill -9`: no chance to settle anything.
    func crash() async { await stop(signal: SIGKILL) }

    private func reap(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid || (result == -1 && errno == ECHILD)
    }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(_ lines: Int = 40) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

struct SystemError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
