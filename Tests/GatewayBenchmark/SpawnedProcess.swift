import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The gateway under test as a child process (posix_spawn), with its memory read from /proc.
final class SpawnedProcess: Sendable {
    let pid: pid_t

    init(path: String, environment: [String: String]) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("\(path) is not an executable (build it with swift build -c release)")
        }
        let argv = [strdup(path)] + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, nil, nil, argv, envp)
        guard status == 0 else { throw BenchError("posix_spawn \(path) failed: \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Whether the process is still running.
    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// `VmRSS` of /proc/<pid>/status, in kB.
    func residentKilobytes() throws -> Int { try statusField("VmRSS:") }

    /// `VmHWM` (peak resident set) of /proc/<pid>/status, in kB.
    func peakResidentKilobytes() throws -> Int { try statusField("VmHWM:") }

    private func statusField(_ name: String) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let value = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw BenchError("/proc/\(pid)/status has no \(name)")
        }
        return value
    }

    /// SIGTERM, then waits up to 10 s and SIGKILLs.
    func terminate() {
        kill(pid, SIGTERM)
        for _ in 0..<100 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
