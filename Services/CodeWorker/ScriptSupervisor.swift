import Glibc

/// Runs one ``ScriptJob`` to completion on the calling thread, which it blocks: a dedicated thread
/// started by ``ScriptRunner``, never a thread of Swift's cooperative pool.
///
/// The child runs in its own process group in a private working directory. One `poll` loop reads
/// both output pipes without blocking, watches for the child's exit (through a pidfd, or every 10 ms
/// where there is none), for the time limit and for cancellation. When the child exits, times out
/// or is cancelled, its whole process group is killed with SIGKILL, so nothing it started (a
/// background job, a grandchild) outlives it; the pipes are then drained for at most the kill grace
/// period (a process that escaped the group could hold them open), the child is reaped, and the
/// working directory is removed.
enum ScriptSupervisor {
    /// How long to keep reading output after the process group was killed.
    static let defaultKillGrace: Duration = .seconds(2)

    /// Runs `job` in a new directory under `workRoot`.
    ///
    /// - Throws: ``SpawnFailure`` when the directory, a pipe or the process could not be created.
    static func run(
        _ job: ScriptJob, workRoot: String, killGrace: Duration = defaultKillGrace, signal: CancellationSignal
    ) throws(SpawnFailure) -> ScriptOutcome {
        let directory = try WorkingDirectory.create(under: workRoot)
        var environment = job.environment
        environment["HOME"] = directory.path
        environment["TMPDIR"] = directory.path
        var descriptors = OpenDescriptors()
        defer { descriptors.closeAll() }
        let child: ChildProcess
        do throws(SpawnFailure) {
            for (name, contents) in job.files.sorted(by: { $0.key < $1.key }) {
                try directory.createFile(named: name, containing: contents)
            }
            let input: Int32
            if let standardInput = job.standardInput {
                input = try directory.anonymousFile(holding: standardInput)
            } else {
                input = try Self.openNull()
            }
            descriptors.insert(input)
            guard let output = SpawnSupport.makePipe(nonBlockingRead: true) else {
                throw SpawnFailure(call: "pipe2", code: errno)
            }
            descriptors.insert(output.read, output.write)
            guard let errors = SpawnSupport.makePipe(nonBlockingRead: true) else {
                throw SpawnFailure(call: "pipe2", code: errno)
            }
            descriptors.insert(errors.read, errors.write)
            let spawnedAt = ContinuousClock.now
            child = try ChildProcess.spawn(ChildProcess.Launch(
                executable: job.executable, arguments: job.arguments, environment: environment,
                workingDirectory: directory.path, standardInput: input, standardOutput: output.write,
                standardError: errors.write))
            // The child has its copies; holding ours would keep the pipes from reaching end-of-file.
            descriptors.close(input, output.write, errors.write)
            var loop = SupervisionLoop(
                child: child, startedAt: spawnedAt, output: output.read, errors: errors.read, signal: signal, job: job,
                killGrace: killGrace)
            let outcome = loop.run()
            descriptors.forget(output.read, errors.read)  // the loop closed them
            let removed = directory.remove()
            return ScriptOutcome(
                termination: outcome.termination, standardOutput: outcome.output, standardError: outcome.errors,
                timedOut: outcome.timedOut, cancelled: outcome.cancelled, elapsed: outcome.elapsed,
                workingDirectory: directory.path, workingDirectoryRemoved: removed)
        } catch {
            descriptors.closeAll()
            directory.remove()
            throw error
        }
    }

    private static func openNull() throws(SpawnFailure) -> Int32 {
        let descriptor = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpawnFailure(call: "open /dev/null", code: errno) }
        return descriptor
    }
}

/// The descriptors a supervisor opened and has not closed yet.
private struct OpenDescriptors {
    private var descriptors: Set<Int32> = []

    mutating func insert(_ descriptors: Int32...) { self.descriptors.formUnion(descriptors) }

    mutating func close(_ descriptors: Int32...) {
        for descriptor in descriptors where self.descriptors.remove(descriptor) != nil { Glibc.close(descriptor) }
    }

    mutating func forget(_ descriptors: Int32...) { self.descriptors.subtract(descriptors) }

    mutating func closeAll() {
        for descriptor in descriptors { Glibc.close(descriptor) }
        descriptors.removeAll()
    }
}
