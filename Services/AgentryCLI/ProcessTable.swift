import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the CLI needs to know about processes it started in an earlier invocation, from `/proc`.
enum ProcessTable {
    /// The environment variable every service started by `agentry up` carries, naming the run
    /// directory: a pid is only signalled when its process carries it (pids are reused).
    static let ownerVariable = "AGENTRY_RUN_OWNER"

    /// True while `pid` runs (a zombie counts as ended).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// True when `pid` runs and was started by `agentry up` for `runDirectory`.
    static func isOurs(_ pid: pid_t, runDirectory: String) -> Bool {
        guard isAlive(pid), let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else {
            return false
        }
        let marker = Array("\(ownerVariable)=\(runDirectory)".utf8)
        return environ.split(separator: 0).contains { Array($0) == marker }
    }

    /// Sends `signal` to `pid`; true when it was delivered.
    @discardableResult
    static func signal(_ pid: pid_t, _ signal: Int32) -> Bool {
        kill(pid, signal) == 0
    }

    /// Sends `signal` to every process of the group `pid` leads (a service and what it started).
    @discardableResult
    static func signalGroup(_ pid: pid_t, _ signal: Int32) -> Bool {
        kill(-pid, signal) == 0
    }
}
