import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running Chromium browser process, started with `posix_spawn` in its own process group.
///
/// Chromium reads DevTools commands on its fd 3 and writes replies and events on its fd 4; the
/// two pipe ends the worker keeps are ``commandsFD`` and ``eventsFD``. Standard input is
/// `/dev/null`; standard output and error go to `chromium.log` in the process's private
/// directory (`$TMPDIR/agentry-browser-<worker pid>-XXXXXX`), which also holds the profile and
/// is deleted when the process has exited.
///
/// A reaper thread waits for the browser to exit, then kills what is left of its process group
/// (renderers, utilities), reaps it, removes the directory and wakes ``waitForExit()`` callers.
final class ChromiumProcess: Sendable {
    /// The browser's process id, also its process group id.
    let pid: pid_t
    /// The worker's end of Chromium's command pipe (Chromium's fd 3).
    let commandsFD: Int32
    /// The worker's end of Chromium's event pipe (Chromium's fd 4).
    let eventsFD: Int32
    /// The private directory: `profile/` and `chromium.log`.
    let directory: String

    private struct State {
        var exited = false
        var exitDescription: String?
        var lastWaiterID = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var onExit: (@Sendable (String) -> Void)?
    }

    private let state = Mutex(State())

    private init(pid: pid_t, commandsFD: Int32, eventsFD: Int32, directory: String) {
        self.pid = pid
        self.commandsFD = commandsFD
        self.eventsFD = eventsFD
        self.directory = directory
    }

    /// The log file Chromium's standard output and error go to.
    var logPath: String { directory + "/chromium.log" }

    /// True once the process has exited and was reaped.
    var hasExited: Bool { state.withLock { $0.exited } }

    /// How it exited (`exit status 0`, `signal 9`), once it has.
    var exitDescription: String? { state.withLock { $0.exitDescription } }

    /// Starts Chromium.
    ///
    /// - Parameters:
    ///   - executable: Path of the Chromium executable (or its launcher script).
    ///   - environment: The worker's environment; Agentry's own variables are not passed on.
    ///   - onExit: Called on the reaper thread once the process has exited.
    /// - Throws: ``BrowserError/Code/launchFailed`` when the directory, the pipes or the process
    ///   cannot be created.
    static func spawn(
        executable: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        onExit: @escaping @Sendable (String) -> Void
    ) throws(BrowserError) -> ChromiumProcess {
        let directory = try makeDirectory()
        let profile = directory + "/profile"
        guard mkdir(profile, 0o700) == 0 else {
            removeDirectory(directory)
            throw BrowserError(.launchFailed, "cannot create \(profile): \(String(cString: strerror(errno)))", retryable: true)
        }
        // Chromium reads commands from `commands.read` (its fd 3) and writes to `events.write` (its fd 4).
        let commands: (read: Int32, write: Int32)
        let events: (read: Int32, write: Int32)
        do throws(BrowserError) {
            commands = try makePipe()
            do throws(BrowserError) {
                events = try makePipe()
            } catch {
                close(commands.read)
                close(commands.write)
                throw error
            }
        } catch {
            removeDirectory(directory)
            throw error
        }
        let arguments = [executable] + ChromiumCommandLine.arguments(
            profileDirectory: profile, runningAsRoot: geteuid() == 0)
        let childEnvironment = ChromiumCommandLine.environment(from: environment).map { "\($0.key)=\($0.value)" }
        let spawned = spawnProcess(
            executable: executable, arguments: arguments, environment: childEnvironment,
            logPath: directory + "/chromium.log", commandsRead: commands.read, eventsWrite: events.write)
        close(commands.read)
        close(events.write)
        let pid: pid_t
        switch spawned {
        case .success(let child):
            pid = child
        case .failure(let code):
            close(commands.write)
            close(events.read)
            removeDirectory(directory)
            throw BrowserError(.launchFailed, "cannot start \(executable): \(String(cString: strerror(code)))", retryable: true)
        }
        let process = ChromiumProcess(pid: pid, commandsFD: commands.write, eventsFD: events.read, directory: directory)
        process.state.withLock { $0.onExit = onExit }
        let reaper = Thread { [process] in process.reap() }
        reaper.name = "agentry-chromium-reaper"
        reaper.start()
        return process
    }

    /// Sends SIGKILL to the whole process group, unless the browser was already reaped (so a
    /// recycled process id is never signalled).
    func killGroup() {
        state.withLock { state in
            guard !state.exited else { return }
            _ = kill(-pid, SIGKILL)
        }
    }

    /// Returns once the process has exited and was reaped, or when the task is cancelled.
    func waitForExit() async {
        let id = state.withLock { state -> Int in
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parked = state.withLock { state -> Bool in
                    guard !state.exited, !Task.isCancelled else { return false }
                    state.waiters.append((id, continuation))
                    return true
                }
                if !parked { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume()
        }
    }

    /// Waits up to `timeout` for the process to exit; returns whether it has.
    func waitForExit(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return hasExited
    }

    /// The last lines Chromium wrote to its log (at most `limit` characters), for error messages.
    func logTail(limit: Int = 600) -> String {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let lines = String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return String(lines.suffix(3).joined(separator: " | ").suffix(limit))
    }

    private func reap() {
        var info = siginfo_t()
        // Wait without reaping, so the process id stays reserved while the group is killed.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        let (waiters, onExit, description) = state.withLock { state in
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            let signal = status & 0x7f
            let description = signal == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signal)"
            state.exited = true
            state.exitDescription = description
            let waiters = state.waiters.map(\.continuation)
            state.waiters.removeAll()
            let onExit = state.onExit
            state.onExit = nil
            return (waiters, onExit, description)
        }
        Self.removeDirectory(directory)
        onExit?(description)
        for waiter in waiters { waiter.resume() }
    }
}

// MARK: - System calls

extension ChromiumProcess {
    private enum SpawnResult {
        case success(pid_t)
        case failure(Int32)
    }

    /// Names of private directories start with this, then the worker's process id and a dash.
    static let directoryPrefix = "agentry-browser-"

    private static let sweptStaleDirectories = Atomic<Bool>(false)

    /// Removes, once per process and on a thread of its own, the private directories of browsers
    /// whose worker is gone: a worker killed with SIGKILL cannot delete its browser's profile.
    static func sweepStaleDirectories(in parent: String = NSTemporaryDirectory()) {
        guard !sweptStaleDirectories.exchange(true, ordering: .relaxed) else { return }
        let sweeper = Thread { removeStaleDirectories(in: parent) }
        sweeper.name = "agentry-chromium-sweeper"
        sweeper.start()
    }

    /// Removes the directories in `parent` named `agentry-browser-<pid>-…` whose process `pid`
    /// no longer exists; returns their names.
    @discardableResult
    static func removeStaleDirectories(in parent: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var removed: [String] = []
        for name in entries where name.hasPrefix(directoryPrefix) {
            let rest = name.dropFirst(directoryPrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let owner = pid_t(rest[..<dash]), owner > 0, owner != getpid()
            else { continue }
            guard kill(owner, 0) == -1, errno == ESRCH else { continue }
            let path = parent.hasSuffix("/") ? parent + name : parent + "/" + name
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
        }
        return removed
    }

    private static func makeDirectory() throws(BrowserError) -> String {
        sweepStaleDirectories()
        var template = Array((NSTemporaryDirectory() + directoryPrefix + "\(getpid())-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw BrowserError(
                .launchFailed, "cannot create a private directory for Chromium: \(String(cString: strerror(errno)))",
                retryable: true)
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A close-on-exec pipe whose ends are numbered 10 or above, so they can never be fds 3 or 4
    /// themselves (`dup2` onto the same number would keep close-on-exec set).
    private static func makePipe() throws(BrowserError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw BrowserError(.launchFailed, "cannot create a pipe: \(String(cString: strerror(errno)))", retryable: true)
        }
        var moved: [Int32] = []
        for fd in fds {
            let high = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            close(fd)
            moved.append(high)
        }
        guard moved.allSatisfy({ $0 >= 0 }) else {
            for fd in moved where fd >= 0 { close(fd) }
            throw BrowserError(.launchFailed, "cannot renumber a pipe: \(String(cString: strerror(errno)))", retryable: true)
        }
        return (moved[0], moved[1])
    }

    private static func spawnProcess(
        executable: String, arguments: [String], environment: [String],
        logPath: String, commandsRead: Int32, eventsWrite: Int32
    ) -> SpawnResult {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, commandsRead, 3)
        posix_spawn_file_actions_adddup2(&actions, eventsWrite, 4)
        // Nothing else of the worker's (broker and database sockets) reaches the browser.
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            // glibc 2.34 and later; Swift's Glibc module does not export it, so it is looked up.
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            _ = closeFrom(&actions, 5)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so the browser and every helper it starts can be killed at once;
        // signals unblocked and at their defaults whatever the worker set.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        return result == 0 ? .success(pid) : .failure(result)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
}
