@testable import AgentryCLI
import AgentryContracts
import Foundation
import Testing

/// How the CLI reads the API's answers and renders runs for people.
@Suite struct CLIRenderingTests {
    /// `GET /v1/runs/{id}` as the ingest gateway answers it (sorted keys, RFC 3339 with milliseconds).
    static let runJSON = #"""
        {"approvals":[{"approverRoles":["approver"],"comment":"ok","createdAt":"2026-03-14T09:26:53.990Z",
          "decidedAt":"2026-03-14T09:26:53.995Z","decidedBy":"alice","id":"ap-1","kind":"step","status":"approved",
          "stepId":"post"}],
         "completionTokens":0,"costUSD":0,"createdAt":"2026-03-14T09:26:53.589Z",
         "deliveries":[
          {"attempts":1,"channel":"capture","createdAt":"2026-03-14T09:26:54.035Z","id":"d-1","kind":"step",
           "payload":{},"status":"captured","stepId":"post","target":"#ops"},
          {"attempts":1,"channel":"capture","createdAt":"2026-03-14T09:26:55.100Z","id":"d-2","kind":"notification",
           "payload":{},"status":"captured","target":"slack:C0OPS"}],
         "finishedAt":"2026-03-14T09:26:55.089Z","id":"0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01","outputs":{},
         "promptTokens":0,"request":"summarise the open incidents\nand post them to #ops","source":"slack",
         "startedAt":"2026-03-14T09:26:53.700Z","status":"completed",
         "steps":[
          {"attempts":1,"createdAt":"2026-03-14T09:26:53.700Z","dependsOn":[],"id":"incidents","input":{},
           "maxAttempts":3,"output":{"columns":["id"],"rowCount":4,"rows":[],"text":"...","truncated":false},
           "risk":"low","specialist":"data","startedAt":"2026-03-14T09:26:53.800Z",
           "finishedAt":"2026-03-14T09:26:53.920Z","status":"succeeded","tool":"sql.query",
           "updatedAt":"2026-03-14T09:26:53.920Z"},
          {"attempts":2,"dependsOn":["incidents"],"id":"post","input":{},"maxAttempts":3,
           "output":{"channel":"slack","deliveryId":"x","status":"captured","target":"#ops"},"risk":"low",
           "specialist":"comm","startedAt":"2026-03-14T09:26:54.000Z","finishedAt":"2026-03-14T09:26:54.035Z",
           "status":"succeeded","tool":"slack.post"}],
         "tenant":"default","updatedAt":"2026-03-14T09:26:55.089Z"}
        """#

    static func decode(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func aRunIsReadFromTheAPIsAnswer() throws {
        let run = try RunTimeline(json: Self.decode(Self.runJSON))
        #expect(run.id == "0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01")
        #expect(run.status == "completed")
        #expect(run.isFinished)
        #expect(run.steps.map(\.id) == ["incidents", "post"])
        #expect(run.steps[1].attempts == 2)
        #expect(run.steps[0].output?["rowCount"]?.intValue == 4)
        #expect(run.approvals == [TimelineApproval(id: "ap-1", stepId: "post", kind: "step", status: "approved",
                                                   decidedBy: "alice", comment: "ok")])
        #expect(run.pendingApprovals.isEmpty)
        #expect(run.deliveries.count == 2)
        #expect(run.createdAt == RFC3339.date(from: "2026-03-14T09:26:53.589Z"))
    }

    @Test func readingIsLenient() throws {
        let minimal = try RunTimeline(json: Self.decode(#"{"runId":"r1","status":"waiting_for_approval","extra":[1],"#
            + #""steps":[{"stepId":"send","status":"awaiting_approval"},{"no":"id"}],"#
            + #""approvals":[{"id":"ap-9","status":"pending","stepId":"send"}]}"#))
        #expect(minimal.id == "r1")
        #expect(!minimal.isFinished)
        #expect(minimal.steps == [TimelineStep(id: "send", status: "awaiting_approval")])
        #expect(minimal.pendingApprovals.map(\.id) == ["ap-9"])
        #expect(throws: CLIError.self) { try RunTimeline(json: Self.decode(#"{"id":"r1"}"#)) }
        let listed = RunListing(json: try Self.decode(#"{"id":"r2","status":"failed","source":"api"}"#))
        #expect(listed == RunListing(id: "r2", status: "failed", source: "api"))
    }

    @Test func theTimelineShowsStepsApprovalsAndDeliveries() throws {
        let run = try RunTimeline(json: Self.decode(Self.runJSON))
        let text = TimelineRenderer(timeZone: TimeZone(identifier: "UTC")!).render(run)
        #expect(text == """
            run 0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01  completed  source slack  tenant default
              request: summarise the open incidents and post them to #ops
              created 2026-03-14 09:26:53  finished 2026-03-14 09:26:55 (1.5 s in all)

              STEP       SPECIALIST  TOOL        STATUS     ATTEMPTS  TIME    RESULT
              incidents  data        sql.query   succeeded  1         120 ms  4 rows
              post       comm        slack.post  succeeded  2         35 ms   slack captured → #ops

              approvals:
                ap-1  step post  approved by alice: "ok"

              deliveries:
                capture → #ops  captured  (step post)
                capture → slack:C0OPS  captured  (notification)
            """)
    }

    @Test func aFailedStepShowsItsError() {
        let run = RunTimeline(id: "r3", status: "failed", error: "step fetch failed 3 times", steps: [
            TimelineStep(id: "fetch", specialist: "data", tool: "sql.query", status: "failed", attempts: 3,
                         error: "statement timeout\nafter 5000 ms"),
            TimelineStep(id: "send", specialist: "comm", tool: "email.send", status: "awaiting_approval"),
        ])
        let text = TimelineRenderer(timeZone: TimeZone(identifier: "UTC")!).render(run)
        #expect(text.contains("  error: step fetch failed 3 times"))
        #expect(text.contains("error: statement timeout after 5000 ms"))
        #expect(text.contains("waiting for approval"))
    }

    static let summaries: [(JSONValue, String)] = [
        (["rowCount": 1, "truncated": false], "1 row"),
        (["rowCount": 1000, "truncated": true], "1000 rows (truncated)"),
        (["channel": "email", "status": "delivered", "target": "ops@example.com"], "email delivered → ops@example.com"),
        (["exitCode": 0, "stdout": "42\nmore", "stderr": ""], "exit 0: 42"),
        (["url": "file:///p.html", "title": "Agentry Field Kit", "text": "$129.00"], "Agentry Field Kit — $129.00"),
        (["b": 2, "a": "x"], #"{"a":"x","b":2}"#),
    ]

    @Test(arguments: summaries)
    func outputsAreSummarised(_ output: JSONValue, _ summary: String) {
        #expect(TimelineRenderer.summary(of: output) == summary)
    }

    @Test(arguments: [(0.0, "0 ms"), (0.1234, "123 ms"), (1.46, "1.5 s"), (59.9, "59.9 s"), (125.0, "2 min 5 s")])
    func durations(_ seconds: Double, _ text: String) {
        #expect(TimelineRenderer.duration(seconds) == text)
    }

    @Test func runListsAreTables() {
        let runs = [
            RunListing(id: "r1", status: "completed", tenant: "acme", source: "slack", request: "summarise\nthings",
                       createdAt: RFC3339.date(from: "2026-03-14T09:26:53.589Z")),
            RunListing(id: "r22", status: "running", request: String(repeating: "x", count: 80)),
        ]
        let text = TimelineRenderer(timeZone: TimeZone(identifier: "UTC")!).render(runs)
        #expect(text == """
            RUN  STATUS     SOURCE  TENANT  CREATED              REQUEST
            r1   completed  slack   acme    2026-03-14 09:26:53  summarise things
            r22  running    -       -       -                    \(String(repeating: "x", count: 49))…
            """)
        #expect(TimelineRenderer().render([]) == "no runs")
    }

    @Test func followerEventsReadWell() {
        #expect(Console.describe(.status("waiting_for_approval"), runId: "r1") == "run r1: waiting for approval")
        let approval = TimelineApproval(id: "ap-1", stepId: "send", status: "pending")
        let step = TimelineStep(id: "send", tool: "email.send", status: "awaiting_approval")
        #expect(Console.describe(.approvalPending(approval, step: step), runId: "r1")
            == "run r1: step send (email.send) waits for approval ap-1: agentry approve ap-1")
    }
}
