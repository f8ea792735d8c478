import AgentryContracts
import AgentryHTTP
import ArgumentParser
import Foundation

/// `agentry demo`: three requests from three places, followed to their end.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Send a signed Slack event, a Jira-style request and an email, and show each run's timeline.",
        discussion: """
            Needs a running Agentry (`agentry up`): the Slack event is signed with the secret `agentry up` \
            generated, and the email goes to the inbound email webhook with the token it generated. The \
            email asks for a high-risk step (sending mail); the demo waits for its \
            approval request and approves it through the API, saying so. Each run's timeline is printed \
            as it completes, with the time from submission to completion.
            """)

    @OptionGroup var local: LocalOptions
    @OptionGroup var api: APIOptions

    @Option(help: "Seconds to wait for each run.")
    var timeout: Int = 300

    @Option(name: .customLong("as"), help: "The approver's name for the demo's approval.")
    var approver: String = "demo"

    /// One of the demo's requests.
    struct Request: Sendable {
        let label: String
        let description: String
        let runId: String
        let submittedAt: ContinuousClock.Instant
    }

    func run() async throws {
        let installation = try LocalInstallation.locate(local)
        let secret = try installation.existingSlackSigningSecret()
        let client = api.client(local: LocalRunState.load(installation.stateFile))
        let page = try Self.writeProductPage(in: installation.demoDirectory)
        let output = DemoOutput()
        let stamp = String(Int(Date().timeIntervalSince1970 * 1000), radix: 36)
        print("Agentry demo: three requests against \(client.baseURL)\n")

        // 1. A signed Slack Events API callback: someone mentions the app in #ops.
        let slackText = "summarise the open incidents and post them to #ops"
        let eventId = "Ev" + stamp.uppercased()
        let body = try SlackRequestSigner.appMention(text: slackText, eventId: eventId, at: Date())
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var submittedAt = ContinuousClock.now
        guard let slackRun = try await client.postSlackEvent(
            body: body, timestamp: timestamp,
            signature: SlackRequestSigner(signingSecret: secret).signature(timestamp: timestamp, body: body))
        else { throw CLIError("the Slack event was accepted but did not become a run") }
        var requests = [Request(label: "Slack", description: "@agentry \(slackText)", runId: slackRun,
                                submittedAt: submittedAt)]
        print("1. Slack event \(eventId) (signed): \"@agentry \(slackText)\"\n   → run \(slackRun)")

        // 2. A Jira-style request about issue OPS-42.
        let jiraText = "check the price on \(page)"
        submittedAt = ContinuousClock.now
        let jiraRun = try await client.submit(RunSubmissionBody(
            request: jiraText, source: "jira", sourceReference: SourceReference(jiraIssueKey: "OPS-42"),
            externalEventId: "jira-demo-\(stamp)", requestedBy: "jira:ops-bot"))
        requests.append(Request(label: "Jira", description: jiraText, runId: jiraRun, submittedAt: submittedAt))
        print("2. Jira issue OPS-42: \"\(jiraText)\"\n   → run \(jiraRun)")

        // 3. An email, as a mail provider posts it; sending mail is a high-risk step that waits for approval.
        let emailText = "email the weekly report to ops@example.com"
        submittedAt = ContinuousClock.now
        guard let emailRun = try await client.postEmail(
            Self.email(asking: emailText, messageId: "<demo-\(stamp)@example.com>", at: Date()),
            token: try installation.existingEmailToken())
        else { throw CLIError("the email was accepted but did not become a run") }
        requests.append(Request(label: "Email", description: emailText, runId: emailRun, submittedAt: submittedAt))
        print("3. Email from dana@example.com (raw RFC 5322, with the inbound token): \"\(emailText)\"\n   → run \(emailRun)\n")

        let follower = RunFollower(client: client, pollInterval: .milliseconds(100))
        let approver = self.approver
        let limit = Duration.seconds(max(1, timeout))
        var outcomes: [(Request, RunTimeline, Duration)] = []
        try await withThrowingTaskGroup(of: (Request, RunTimeline, Duration).self) { group in
            for request in requests {
                group.addTask {
                    let run = try await follower.follow(request.runId, timeout: limit) { event in
                        guard case .approvalPending(let approval, let step) = event else { return }
                        let what = step.map { "step \($0.id) (\($0.tool ?? "?"))" } ?? "its plan"
                        await output.say("\(request.label) run is waiting for approval of \(what): approval \(approval.id)")
                        try await client.decide(
                            approval: approval.id, decision: "approved", decidedBy: approver,
                            comment: "approved by agentry demo")
                        await output.say("approved it through the API (POST /v1/approvals/\(approval.id)) as \(approver)")
                    }
                    return (request, run, request.submittedAt.duration(to: .now))
                }
            }
            for try await (request, run, elapsed) in group {
                outcomes.append((request, run, elapsed))
                await output.say("""

                    \(request.label) run \(run.status) in \(TimelineRenderer.duration(elapsed.seconds)) \
                    from submission to completion:
                    \(TimelineRenderer().render(run))
                    """)
            }
        }
        print("\nSummary:")
        var table = CLITable(["SOURCE", "RUN", "STATUS", "SUBMITTED → DONE"])
        for (request, run, elapsed) in outcomes.sorted(by: { $0.0.label < $1.0.label }) {
            table.append([request.label, run.id, run.status, TimelineRenderer.duration(elapsed.seconds)])
        }
        print(table.render(indent: "  "))
        print("""

            Agentry keeps running in the background (`agentry status`; logs in \
            \(UpCommand.relative(installation.logDirectory, to: installation.root))/).
            Try `agentry runs`, `agentry run <id>` or `agentry audit verify`. Stop everything with `agentry down`.
            """)
        if outcomes.contains(where: { $0.1.status != "completed" }) { throw ExitCode(1) }
    }

    /// The demo's email as a mail client sends it: a greeting and a signature around the request,
    /// quoted-printable UTF-8, with a `Message-ID` that makes a repeated post one run.
    static func email(asking request: String, messageId: String, at date: Date) -> Data {
        MailMessage(
            from: MailAddress("dana@example.com", name: "Dana Müller"), to: ["agentry@localhost"],
            subject: "Weekly report, please", textBody: "Hi Agentry,\n\n\(request)\n\nDanke schön,\nDana\n",
            date: date, messageID: messageId
        ).rendered()
    }

    /// Writes the product page the Jira request asks about and returns its `file://` URL.
    static func writeProductPage(in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/product.html"
        let html = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Agentry Field Kit – Example Outfitters</title></head>
            <body>
              <h1 class="product-name">Agentry Field Kit</h1>
              <p class="price">$129.00</p>
              <p class="availability">In stock, ships in 2 days.</p>
            </body>
            </html>

            """
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        return URL(fileURLWithPath: path).absoluteString
    }
}

/// Serialises the demo's output from concurrent followers.
actor DemoOutput {
    func say(_ text: String) { print(text) }
}
