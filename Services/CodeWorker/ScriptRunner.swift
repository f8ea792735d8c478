import Foundation

/// Runs ``ScriptJob``s for async callers: each job gets a dedicated thread that spawns, supervises
/// and reaps the child (see ``ScriptSupervisor``), so no blocking call ever runs on Swift's
/// cooperative thread pool. Cancelling the calling task kills the job's process group.
///
/// ```swift
/// let runner = ScriptRunner(workRoot: "/tmp")
/// let outcome = try await runner.run(ScriptJob(
///     executable: "/bin/sh", arguments: ["sh", "-c", "echo hello"], environment: ["PATH": "/usr/bin:/bin"],
///     timeout: .seconds(10), outputLimit: 65_536))
/// outcome.standardOutput.text  // "hello\n"
/// ```
struct ScriptRunner: Sendable {
    /// The directory under which each job's private working directory is created.
    let workRoot: String
    /// How long output is still read after the process group was killed.
    let killGrace: Duration

    init(workRoot: String, killGrace: Duration = ScriptSupervisor.defaultKillGrace) {
        self.workRoot = workRoot
        self.killGrace = killGrace
    }

    /// Runs `job` to completion. If the task is cancelled meanwhile, the job's process group is
    /// killed and the outcome reports ``ScriptOutcome/cancelled``.
    ///
    /// - Throws: ``SpawnFailure`` when the job could not be started.
    func run(_ job: ScriptJob) async throws -> ScriptOutcome {
        guard let signal = CancellationSignal() else { throw SpawnFailure(call: "pipe2", code: errno) }
        let workRoot = self.workRoot
        let killGrace = self.killGrace
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ScriptOutcome, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result {
                        try ScriptSupervisor.run(job, workRoot: workRoot, killGrace: killGrace, signal: signal)
                    })
                }
                thread.name = "agentry-code-job"
                thread.start()
            }
        } onCancel: {
            signal.cancel()
        }
    }
}
