import ArgumentParser

/// The operators' tool: migrations and benchmarks (more commands arrive with the services).
@main
struct Agentry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentry",
        abstract: "Operate Agentry: database migrations and benchmarks.",
        discussion: """
            The local broker and database are started by scripts/stack (see README.md); \
            configuration is read from the environment (docs/configuration.md).
            """,
        subcommands: [MigrateCommand.self, BenchCommand.self])
}
