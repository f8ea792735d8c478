import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Child processes started with `posix_spawn` (Foundation's `Process` is not used: it has been seen
/// to hang here). Waiting and reading happen on a dedicated thread, never on Swift's cooperative pool.
enum Subprocess {
    /// glibc's `POSIX_SPAWN_SETSID` (`spawn.h`, only declared under `_GNU_SOURCE`, so not imported
    /// into Swift): the child starts a new session, detached from the terminal and its signals.
    static let spawnSetSID: Int32 = 0x80

    /// Signals whose disposition a child gets back to the default, whatever this process did with them.
    private static let resetSignals: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD]

    /// Runs `argv` (an absolute executable path first) to its end with `environment`, standard error
    /// inherited and standard output inherited or, with `captureOutput`, returned.
    static func run(
        _ argv: [String], environment: [String: String], captureOutput: Bool = false
    ) async throws -> (status: Int32, output: String) {
        var pipeEnds: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&pipeEnds) == 0 else { throw CLIError("cannot create a pipe: \(errorText())") }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        }
        let pid: pid_t
        do {
            pid = try spawn(argv, environment: environment, actions: &actions, newSession: false)
        } catch {
            if captureOutput {
                close(pipeEnds[0])
                close(pipeEnds[1])
            }
            throw error
        }
        if captureOutput { close(pipeEnds[1]) }
        let readEnd = pipeEnds[0]
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var output = [UInt8]()
                if captureOutput {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                        if count > 0 {
                            output.append(contentsOf: buffer[0..<count])
                        } else if count == 0 || errno != EINTR {
                            break
                        }
                    }
                    close(readEnd)
                }
                let status = waitForExit(pid)
                continuation.resume(returning: (status, String(decoding: output, as: UTF8.self)))
            }
            thread.start()
        }
    }

    /// Starts `executable` as a detached background process: a new session, standard input from
    /// `/dev/null`, standard output and error appended to `logPath`, no other inherited file
    /// descriptors, default signal handling. Returns its pid; nobody waits for it.
    static func spawnDetached(
        executable: String, arguments: [String] = [], environment: [String: String], logPath: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc's addclosefrom is not imported either: close what is open now, one by one (a
        // descriptor closed meanwhile is ignored by the child).
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        return try spawn([executable] + arguments, environment: environment, actions: &actions, newSession: true)
    }

    /// The exit status of `pid` once it ended: its exit code, or 128 + the signal that killed it.
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        return decode(status)
    }

    /// If `pid` is a child of this process that has ended, reaps it and returns its status.
    static func exitStatusIfEnded(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid ? decode(status) : nil
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func spawn(
        _ argv: [String], environment: [String: String], actions: inout posix_spawn_file_actions_t, newSession: Bool
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in resetSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession { flags |= spawnSetSID }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let environmentLines = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { arguments in
            withCStrings(environmentLines) { variables in
                posix_spawn(&pid, argv[0], &actions, &attributes, arguments, variables)
            }
        }
        guard result == 0 else {
            throw CLIError("cannot start \(argv[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
    ) -> Result {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
