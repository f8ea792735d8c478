/// A failure the CLI reports in one line (`Error: <description>`) before exiting non-zero.
struct CLIError: Error, CustomStringConvertible, Equatable {
    /// What went wrong and, where it helps, what to do about it.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
