import ArgumentParser

/// The operators' tool: the local stack and services, runs, approvals, the audit log, migrations
/// and benchmarks. See docs/cli.md.
@main
struct Agentry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentry",
        abstract: "Operate Agentry: run it locally, submit and follow runs, approve steps, verify the audit log.",
        discussion: """
            `agentry up` starts the broker, the database and every service; `agentry demo` shows them at \
            work; `agentry down` stops everything. The API commands talk to $AGENTRY_API_URL \
            (default http://127.0.0.1:8080); the database commands use $AGENTRY_DATABASE_URL. See docs/cli.md.
            """,
        subcommands: [
            UpCommand.self, DownCommand.self, StatusCommand.self, DemoCommand.self,
            SubmitCommand.self, RunsCommand.self, RunCommand.self, ApproveCommand.self, RejectCommand.self,
            AuditCommand.self, MigrateCommand.self, KeysCommand.self, BenchCommand.self,
        ])
}
