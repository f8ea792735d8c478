@testable import AgentryCLI
import AgentryAudit
import AgentryServiceKit
import ArgumentParser
import Foundation
import Testing

/// The `agentry` command line: subcommands, options, defaults and validation.
@Suite struct CLIParsingTests {
    @Test(arguments: [
        (["up"], "up"), (["down"], "down"), (["status"], "status"), (["demo"], "demo"),
        (["submit", "hello"], "submit"), (["runs"], "runs"), (["run", "r1"], "run"), (["approve", "a1"], "approve"),
        (["reject", "a1"], "reject"), (["audit", "verify"], "verify"), (["migrate"], "migrate"),
    ])
    func everySubcommandIsRegistered(_ arguments: [String], _ name: String) throws {
        let command = try Agentry.parseAsRoot(arguments)
        #expect(type(of: command).configuration.commandName == name)
    }

    @Test func submitHasSensibleDefaults() throws {
        let command = try SubmitCommand.parse(["summarise the open incidents"])
        #expect(command.request == "summarise the open incidents")
        #expect(command.source == "cli")
        #expect(command.tenant == nil)
        #expect(!command.wait)
        #expect(command.timeout == 600)
        #expect(command.submission.request == "summarise the open incidents")
        #expect(command.submission.source == "cli")
    }

    @Test func submitReadsItsOptions() throws {
        let command = try SubmitCommand.parse([
            "run this script", "--tenant", "acme", "--source", "jira", "--wait", "--timeout", "30",
            "--requested-by", "alice", "--api-url", "http://10.0.0.5:9000/",
        ])
        #expect(command.submission == RunSubmissionBody(
            request: "run this script", tenant: "acme", source: "jira", requestedBy: "alice"))
        #expect(command.wait)
        #expect(command.timeout == 30)
        #expect(command.api.client().baseURL == "http://10.0.0.5:9000")
    }

    @Test func submitRefusesAnEmptyRequestAndABadURL() {
        #expect(throws: (any Error).self) { try SubmitCommand.parse(["   "]) }
        #expect(throws: (any Error).self) { try SubmitCommand.parse(["hi", "--api-url", "ftp://example.com"]) }
        #expect(throws: (any Error).self) { try SubmitCommand.parse(["hi", "--timeout", "0"]) }
    }

    @Test func theAPIURLComesFromTheEnvironmentByDefault() throws {
        #expect(APIOptions.environmentDefault([:]) == "http://127.0.0.1:8080")
        #expect(APIOptions.environmentDefault(["AGENTRY_API_URL": ""]) == "http://127.0.0.1:8080")
        #expect(APIOptions.environmentDefault(["AGENTRY_API_URL": "http://api:80"]) == "http://api:80")
        #expect(try DatabaseOptions.environmentDefault([:]) == "postgres://agentry:agentry@127.0.0.1:55432/agentry")
        // Commands that run Agentry locally fall back to the URL of the last `agentry up`.
        let local = LocalRunState(apiURL: "http://127.0.0.1:8181", opsPortBase: 9100, amqpURL: "amqp://b",
                                  databaseURL: "postgres://d")
        #expect(try DemoCommand.parse(["--api-url", "http://127.0.0.1:9999"]).api.url(local: local)
            == "http://127.0.0.1:9999")
        let environment = ProcessInfo.processInfo.environment
        #expect(try DemoCommand.parse([]).api.url(local: local)
            == APIOptions.environmentURL(environment) ?? "http://127.0.0.1:8181")
        #expect(try DatabaseOptions.environmentDefault(["AGENTRY_DATABASE_URL": "postgres://db/x"]) == "postgres://db/x")
    }

    @Test func theDatabaseURLMayComeFromAMountedSecretFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-db-url-\(UUID().uuidString)")
        try "postgres://agentry:s3cret@db:5432/agentry\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try DatabaseOptions.environmentDefault(["AGENTRY_DATABASE_URL_FILE": file.path])
            == "postgres://agentry:s3cret@db:5432/agentry")
        #expect(try KeysCommand.Create.parse(["--name", "n", "--role", "admin", "--database-url", "postgres://flag/x"])
            .database.databaseURL == "postgres://flag/x")
        // Both set, or a file that cannot be read: an error naming the variable, no silent default.
        let both = #expect(throws: ConfigurationError.self) {
            try DatabaseOptions.environmentDefault(["AGENTRY_DATABASE_URL": "postgres://a/b", "AGENTRY_DATABASE_URL_FILE": file.path])
        }
        #expect(both?.description.contains("AGENTRY_DATABASE_URL") == true)
        #expect(throws: ConfigurationError.self) {
            try DatabaseOptions.environmentDefault(["AGENTRY_DATABASE_URL_FILE": "/nonexistent/agentry-db-url"])
        }
    }

    @Test func approveAndRejectNameTheApprover() throws {
        let approve = try ApproveCommand.parse(["a-1", "--as", "alice", "--comment", "looks right"])
        #expect(approve.decision.approvalId == "a-1")
        #expect(approve.decision.approver == "alice")
        #expect(approve.decision.comment == "looks right")
        let reject = try RejectCommand.parse(["a-2"])
        #expect(reject.decision.approvalId == "a-2")
        #expect(!reject.decision.approver.isEmpty)
        #expect(reject.decision.comment == nil)
    }

    @Test func runsValidatesItsLimit() throws {
        let runs = try RunsCommand.parse(["--status", "completed", "--limit", "5"])
        #expect(runs.status == "completed")
        #expect(runs.limit == 5)
        #expect(throws: (any Error).self) { try RunsCommand.parse(["--limit", "501"]) }
    }

    @Test func auditVerifyScopes() throws {
        let whole = try AuditCommand.Verify.parse(["--database-url", "postgres://u:p@db:5432/agentry"])
        #expect(whole.scope == .all)
        #expect(try whole.database.databaseURL == "postgres://u:p@db:5432/agentry")
        let run = UUID()
        let scoped = try AuditCommand.Verify.parse(["--run", run.uuidString.lowercased(), "--tenant", "acme"])
        #expect(scoped.scope == AuditScope(tenant: "acme", runId: run))
        #expect(throws: (any Error).self) { try AuditCommand.Verify.parse(["--run", "not-a-uuid"]) }
    }

    @Test func upAndDownOptions() throws {
        let up = try UpCommand.parse(["--ops-port", "9200", "--api-url", "http://127.0.0.1:8181", "--skip-stack",
                                      "--run-dir", "/tmp/agentry-run", "--bin-dir", "/opt/agentry/bin"])
        #expect(up.opsPortBase == 9200)
        #expect(up.skipStack)
        #expect(up.local.runDirectory == "/tmp/agentry-run")
        #expect(up.local.binDirectory == "/opt/agentry/bin")
        let endpoint = try APIEndpoint(up.api.url())
        #expect(endpoint.host == "127.0.0.1")
        #expect(endpoint.port == 8181)
        let down = try DownCommand.parse(["--keep-stack", "--grace", "5"])
        #expect(down.keepStack)
        #expect(down.grace == 5)
        #expect(try !DownCommand.parse([]).keepStack)
    }
}
