import Glibc

/// A child started with `posix_spawn` as the leader of its own process group, so that it and
/// everything it starts can be killed together.
///
/// Not `Sendable`: one supervisor thread owns it from spawn to reap.
struct ChildProcess {
    /// The child's pid, which is also its process group id.
    let pid: pid_t

    /// How a process ended.
    enum Termination: Sendable, Equatable {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal killed it.
        case signalled(Int32)
        /// Its status was collected elsewhere (only possible if the worker's SIGCHLD is ignored).
        case unknown
    }

    /// What to start.
    struct Launch {
        /// Absolute path of the program.
        var executable: String
        /// `argv`, starting with the program's name.
        var arguments: [String]
        /// The whole environment of the child, nothing inherited.
        var environment: [String: String]
        /// The child's working directory.
        var workingDirectory: String
        /// Descriptors that become the child's standard input, output and error.
        var standardInput: Int32
        var standardOutput: Int32
        var standardError: Int32
    }

    /// Starts `launch` in a new process group, with every other descriptor closed, every signal
    /// at its default disposition and none blocked.
    ///
    /// - Throws: ``SpawnFailure`` with the `errno` of the failed call (for example `ENOENT` when the
    ///   program does not exist: glibc reports `exec` failures from `posix_spawn` itself).
    static func spawn(_ launch: Launch) throws(SpawnFailure) -> ChildProcess {
        guard let addChdir = SpawnSupport.addChdir, let addClosefrom = SpawnSupport.addClosefrom else {
            throw SpawnFailure(call: "posix_spawn", code: ENOSYS)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        for (source, target) in [(launch.standardInput, 0), (launch.standardOutput, 1), (launch.standardError, 2)] {
            let result = posix_spawn_file_actions_adddup2(&actions, source, Int32(target))
            guard result == 0 else { throw SpawnFailure(call: "posix_spawn_file_actions_adddup2", code: result) }
        }
        var result = addChdir(&actions, launch.workingDirectory)
        guard result == 0 else { throw SpawnFailure(call: "posix_spawn_file_actions_addchdir_np", code: result) }
        result = addClosefrom(&actions, 3)
        guard result == 0 else { throw SpawnFailure(call: "posix_spawn_file_actions_addclosefrom_np", code: result) }

        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        // Signals the worker ignores (SIGPIPE, say) would stay ignored across exec: reset them all.
        var allDefault = sigset_t()
        sigfillset(&allDefault)
        posix_spawnattr_setsigdefault(&attributes, &allDefault)

        let argv = launch.arguments.map { strdup($0) } + [nil]
        let envp = launch.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        result = posix_spawn(&pid, launch.executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnFailure(call: "posix_spawn", code: result) }
        return ChildProcess(pid: pid)
    }

    /// Sends SIGKILL to the child's whole process group. Only valid until ``reap()``: while the
    /// leader is unreaped (even as a zombie) its pid cannot name another process group.
    func killGroup() {
        _ = kill(-pid, SIGKILL)
    }

    /// True once the child has ended; it stays a zombie (unreaped) so ``killGroup()`` stays safe.
    func hasEnded() -> Bool {
        var info = siginfo_t()
        while true {
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if result == 0 { return info.si_signo == SIGCHLD && info._sifields._sigchld.si_pid == pid }
            if errno == EINTR { continue }
            // ECHILD: someone else reaped it (it cannot be running unknown to us).
            return true
        }
    }

    /// Waits for the child (already ended, see ``hasEnded()``) and collects its status.
    func reap() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return .unknown }
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}

/// A system call failed while starting a child.
struct SpawnFailure: Error, CustomStringConvertible {
    /// The call that failed.
    let call: String
    /// Its `errno`-style result.
    let code: Int32

    /// True when trying again later may succeed (the machine was short of processes, memory or descriptors).
    var isTransient: Bool { [EAGAIN, ENOMEM, EMFILE, ENFILE].contains(code) }

    var description: String { "\(call): \(String(cString: strerror(code)))" }
}
