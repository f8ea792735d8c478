import ArgumentParser

/// Where a local Agentry lives: the checkout's `scripts/stack`, the run directory, the executables.
struct LocalOptions: ParsableArguments {
    @Option(name: .customLong("stack-script"),
            help: "scripts/stack of the Agentry checkout (default: found from the agentry binary or the current directory).")
    var stackScript: String?

    @Option(name: .customLong("run-dir"), help: "Where logs, pid files and secrets go (default: <checkout>/.agentry/run).")
    var runDirectory: String?

    @Option(name: .customLong("bin-dir"), help: "Where the service executables are (default: next to the agentry binary).")
    var binDirectory: String?
}
