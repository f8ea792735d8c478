@testable import AgentryCLI
import AgentryContracts
import AgentryTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The local-run machinery of `agentry up`, `down` and `demo`, without starting Agentry.
@Suite struct CLILocalTests {
    @Test func stackExportsAreParsed() {
        let output = """
            export AGENTRY_AMQP_URL=amqp://agentry:agentry@127.0.0.1:5673/%2F
            export AGENTRY_DATABASE_URL='postgres://a:b c@127.0.0.1:55432/agentry'
            export AGENTRY_OTHER=with\\ space
            not an export
            """
        let variables = StackScript.parseExports(output)
        #expect(variables["AGENTRY_AMQP_URL"] == "amqp://agentry:agentry@127.0.0.1:5673/%2F")
        #expect(variables["AGENTRY_DATABASE_URL"] == "postgres://a:b c@127.0.0.1:55432/agentry")
        #expect(variables["AGENTRY_OTHER"] == "with space")
        #expect(variables.count == 3)
    }

    @Test func theCheckoutIsFoundFromBelowIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let deep = root.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        #expect(LocalInstallation.findCheckout(from: deep.path) == nil)
        try Data().write(to: root.appendingPathComponent("Package.swift"))
        try Data("#!/bin/sh\n".utf8).write(to: root.appendingPathComponent("scripts/stack"))
        #expect(LocalInstallation.findCheckout(from: deep.path) == root.standardizedFileURL.path)

        let options = try LocalOptions.parse(["--stack-script", root.appendingPathComponent("scripts/stack").path,
                                              "--bin-dir", deep.path])
        let installation = try LocalInstallation.locate(options)
        #expect(installation.root == root.standardizedFileURL.path)
        #expect(installation.runDirectory == root.standardizedFileURL.path + "/.agentry/run")
        #expect(installation.logFile(ServiceCatalog.all[0]) == installation.runDirectory + "/logs/ingest.log")
        #expect(installation.executable(ServiceCatalog.all[7]) == deep.path + "/agentry-audit-writer")

        // The signing secret is generated once, private, and read back by the demo.
        try installation.createDirectories()
        let secret = try installation.slackSigningSecret()
        #expect(secret.count == 64)
        #expect(try installation.slackSigningSecret() == secret)
        #expect(try installation.existingSlackSigningSecret() == secret)
        let mode = try FileManager.default.attributesOfItem(atPath: installation.slackSigningSecretFile)[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
        let token = try installation.emailToken()
        #expect(token.count == 64 && token != secret)
        #expect(try installation.existingEmailToken() == token)
    }

    @Test func everyServiceHasItsOwnOperationsPort() {
        #expect(ServiceCatalog.all.count == 9)
        #expect(Set(ServiceCatalog.all.map(\.portOffset)).count == 9)
        let state = LocalRunState(apiURL: "http://127.0.0.1:8080", opsPortBase: 9100, amqpURL: "amqp://x",
                                  databaseURL: "postgres://y")
        #expect(ServiceCatalog.all.map(state.opsPort) == Array(9100...9108))
        #expect(ServiceCatalog.all.first { $0.name == "audit-writer" }.map(state.opsPort) == 9107)
    }

    @Test func servicesGetTheStacksSettings() throws {
        let installation = LocalInstallation(root: "/src", stackScript: "/src/scripts/stack", runDirectory: "/src/.agentry/run",
                                             binDirectory: "/src/.build/release")
        let state = LocalRunState(apiURL: "http://127.0.0.1:8181", opsPortBase: 9200, amqpURL: "amqp://broker",
                                  databaseURL: "postgres://db/agentry")
        let base = [
            "PATH": "/usr/bin", "AGENTRY_DATABASE_URL_FILE": "/secret/db", "AGENTRY_HTTP_PORT": "1",
            "AGENTRY_SLACK_SIGNING_SECRET": "from-the-shell",
        ]
        let ingest = UpCommand.serviceEnvironment(
            for: ServiceCatalog.all[0], base: base, state: state, endpoint: try APIEndpoint(state.apiURL),
            demoDatabaseURL: "postgres://db/agentry_demo", installation: installation)
        #expect(ingest["PATH"] == "/usr/bin")
        #expect(ingest["AGENTRY_DATABASE_URL"] == "postgres://db/agentry")
        #expect(ingest["AGENTRY_DATABASE_URL_FILE"] == nil)
        #expect(ingest["AGENTRY_AMQP_URL"] == "amqp://broker")
        #expect(ingest["AGENTRY_HTTP_PORT"] == "9200")
        #expect(ingest["AGENTRY_API_PORT"] == "8181")
        #expect(ingest["AGENTRY_API_HOST"] == "127.0.0.1")
        #expect(ingest["AGENTRY_SLACK_SIGNING_SECRET"] == nil)
        #expect(ingest["AGENTRY_SLACK_SIGNING_SECRET_FILE"] == "/src/.agentry/run/secrets/slack-signing-secret")
        #expect(ingest["AGENTRY_EMAIL_TOKEN_FILE"] == "/src/.agentry/run/secrets/email-token")
        #expect(ingest["AGENTRY_LOG_FORMAT"] == "json")
        #expect(ingest["AGENTRY_DATA_SOURCES"] == "default=postgres://db/agentry_demo")
        #expect(ingest[ProcessTable.ownerVariable] == "/src/.agentry/run")
        let notifier = UpCommand.serviceEnvironment(
            for: ServiceCatalog.all[8], base: base, state: state, endpoint: try APIEndpoint(state.apiURL),
            demoDatabaseURL: "postgres://db/agentry_demo", installation: installation)
        #expect(notifier["AGENTRY_HTTP_PORT"] == "9208")
        #expect(notifier["AGENTRY_API_PORT"] == nil)
        #expect(notifier["AGENTRY_SERVICE_NAME"] == "notifier")
    }

    @Test func theDemoDatabaseSitsOnTheSameServer() throws {
        #expect(try DemoDataSource.url(from: "postgres://agentry:agentry@127.0.0.1:55432/agentry?sslmode=disable")
            == "postgres://agentry:agentry@127.0.0.1:55432/agentry_demo?sslmode=disable")
        #expect(throws: CLIError.self) { try DemoDataSource.url(from: "not a url") }
    }

    @Test func slackSignaturesMatchSlacksDocumentedExample() {
        // https://api.slack.com/authentication/verifying-requests-from-slack
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        let signer = SlackRequestSigner(signingSecret: "8f742231b10e8888abcd99yyyzzz85a5")
        #expect(signer.signature(timestamp: "1531420618", body: Data(body.utf8))
            == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
    }

    @Test func theDemoMentionIsAnEventCallback() throws {
        let body = try SlackRequestSigner.appMention(
            text: "summarise the open incidents and post them to #ops", eventId: "Ev123",
            at: Date(timeIntervalSince1970: 1_773_480_413.5))
        let json = try JSONDecoder().decode(JSONValue.self, from: body)
        #expect(json["type"]?.stringValue == "event_callback")
        #expect(json["event_id"]?.stringValue == "Ev123")
        #expect(json["team_id"]?.stringValue == "T0AGENTRY")
        #expect(json["event"]?["type"]?.stringValue == "app_mention")
        #expect(json["event"]?["text"]?.stringValue == "<@U0AGENTRY> summarise the open incidents and post them to #ops")
        #expect(json["event"]?["ts"]?.stringValue == "1773480413.500000")
        #expect(json["event"]?["channel"]?.stringValue == "C0OPS")
    }

    @Test func theProductPageIsAFileURL() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try DemoCommand.writeProductPage(in: directory.path)
        #expect(url.hasPrefix("file:///"))
        let html = try String(contentsOf: URL(string: url)!, encoding: .utf8)
        #expect(html.contains("$129.00"))
    }

    @Test func aChildsOutputAndStatusAreCollected() async throws {
        let result = try await Subprocess.run(
            ["/bin/sh", "-c", "echo \"$GREETING\"; echo to-stderr >&2; exit 3"], environment: ["GREETING": "hello"],
            captureOutput: true)
        #expect(result.status == 3)
        #expect(result.output == "hello\n")
        let killed = try await Subprocess.run(["/bin/sh", "-c", "kill -TERM $$"], environment: [:])
        #expect(killed.status == 128 + SIGTERM)
    }

    @Test func aDetachedServiceRunsInItsOwnSessionAndLogsToItsFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-spawn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("service.log").path
        let marker = directory.path
        let pid = try Subprocess.spawnDetached(
            executable: "/bin/sh",
            arguments: ["-c", "trap 'echo stopping; exit 0' TERM; echo started $AGENTRY_EXAMPLE; while :; do sleep 0.05; done"],
            environment: ["AGENTRY_EXAMPLE": "ok", ProcessTable.ownerVariable: marker, "PATH": "/usr/bin:/bin"],
            logPath: log)
        try await eventually("the log has the first line") {
            (try? String(contentsOfFile: log, encoding: .utf8))?.contains("started ok") == true
        }
        #expect(getsid(pid) == pid)
        #expect(ProcessTable.isAlive(pid))
        #expect(ProcessTable.isOurs(pid, runDirectory: marker))
        #expect(!ProcessTable.isOurs(pid, runDirectory: marker + "/other"))
        #expect(ProcessTable.signal(pid, SIGTERM))
        var status: Int32?
        try await eventually("it exits on SIGTERM") {
            status = Subprocess.exitStatusIfEnded(pid)
            return status != nil
        }
        #expect(status == 0)
        #expect(!ProcessTable.isAlive(pid))
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("stopping"))
    }
}
