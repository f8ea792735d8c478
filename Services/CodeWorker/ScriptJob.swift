/// One program run for a code tool: what to start, with which files, input and limits.
struct ScriptJob: Sendable {
    /// Absolute path of the program (the shell or the Python interpreter).
    var executable: String
    /// `argv`, starting with the program's name; relative paths resolve in the working directory.
    var arguments: [String]
    /// Files written into the working directory before the program starts, by name.
    var files: [String: [UInt8]] = [:]
    /// The program's environment; the runner adds `HOME` and `TMPDIR` (the working directory).
    var environment: [String: String]
    /// What the program reads on standard input; nil connects `/dev/null`.
    var standardInput: [UInt8]?
    /// Wall-clock limit from start to exit; then the whole process group is killed.
    var timeout: Duration
    /// The most bytes kept of standard output and of standard error, each.
    var outputLimit: Int
}

/// How a ``ScriptJob`` went.
struct ScriptOutcome: Sendable {
    /// How the program ended (it is always reaped before the outcome is reported).
    var termination: ChildProcess.Termination
    /// Standard output, its first ``ScriptJob/outputLimit`` bytes.
    var standardOutput: OutputCapture
    /// Standard error, its last ``ScriptJob/outputLimit`` bytes.
    var standardError: OutputCapture
    /// True when the program was killed because it ran past its time limit.
    var timedOut: Bool
    /// True when the program was killed because the waiting task was cancelled.
    var cancelled: Bool
    /// From start to exit.
    var elapsed: Duration
    /// Where the program ran.
    var workingDirectory: String
    /// False when the working directory could not be removed completely (it is logged).
    var workingDirectoryRemoved: Bool

    /// The program's exit status; 128 + the signal number when a signal killed it, as shells report it.
    var exitCode: Int {
        switch termination {
        case .exited(let status): Int(status)
        case .signalled(let signal): 128 + Int(signal)
        case .unknown: -1
        }
    }
}
