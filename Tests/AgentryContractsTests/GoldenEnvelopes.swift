import AgentryContracts
import Foundation

/// The envelopes the golden fixtures in `Fixtures/` must decode to, built by hand in Swift.
enum GoldenEnvelopes {
    static let runId = uuid("0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01")
    static let requestId = uuid("6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a60")
    static let modelRequestId = uuid("1d2e3f40-5162-4738-89a0-b1c2d3e4f506")
    static let modelReplyId = uuid("2e3f4051-6273-4849-9ab1-c2d3e4f50617")
    static let plannedId = uuid("3f405162-7384-495a-8bc2-d3e4f5061728")
    static let workId = uuid("40516273-8495-4a6b-9cd3-e4f506172839")
    static let stepDoneId = uuid("51627384-95a6-4b7c-8de4-f5061728394a")
    static let stepFailedId = uuid("62738495-a6b7-4c8d-9ef5-061728394a5b")
    static let approvalRequestedId = uuid("738495a6-b7c8-4d9e-a0f6-1728394a5b6c")
    static let approvalId = uuid("c8d9eafb-0c1d-4e2f-a3b4-5c6d7e8f9a0b")
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let workerTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01"
    static let incidentsSQL = "select id, title, severity, opened_at from incidents where severity = $1 "
        + "and opened_at >= now() - interval '1 day'"

    /// Fixture file names (without `.json`) and the envelope each must decode to.
    static let all: [(name: String, envelope: Envelope)] = [
        ("run.requested", runRequested),
        ("run.control", runControl),
        ("run.planned", runPlanned),
        ("run.completed", runCompleted),
        ("run.failed", runFailed),
        ("work.item", workItem),
        ("step.completed", stepCompleted),
        ("step.failed", stepFailed),
        ("approval.requested", approvalRequested),
        ("approval.decided", approvalDecided),
        ("model.request", modelRequest),
        ("model.reply", modelReply),
        ("model.reply.over-budget", modelReplyOverBudget),
    ]

    static let runRequested = Envelope(
        id: requestId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_847.215),
        tenant: "acme",
        runId: runId,
        correlationId: requestId,
        traceparent: traceparent,
        payload: .runRequested(RunRequested(
            request: "Summarise yesterday's P1 incidents and post the summary in #ops-daily",
            source: .slack,
            sourceReference: SourceReference(
                slackTeam: "T024BE7LD",
                slackChannel: "C05OPSDAILY",
                slackThreadTs: "1772442847.001200",
                slackUser: "U04ALICE",
                url: "https://acme.slack.com/archives/C05OPSDAILY/p1772442847001200"
            ),
            externalEventId: "Ev08ABCDEF12",
            requestedBy: "U04ALICE",
            budgetUSD: 2.5,
            workflow: "incident-digest@3",
            inputs: ["severity": "P1", "window": "24h"]
        ))
    )

    static let runControl = Envelope(
        id: uuid("a3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"),
        occurredAt: Date(timeIntervalSince1970: 1_772_443_800),
        tenant: "acme",
        runId: runId,
        correlationId: requestId,
        payload: .runControl(RunControl(
            action: .cancel,
            reason: "Duplicate of the 09:10 digest run",
            requestedBy: "ops-oncall@acme.example"
        ))
    )

    static let fetchInput: JSONValue = [
        "source": "incidents",
        "sql": .string(incidentsSQL),
        "params": ["P1"],
        "maxRows": 500,
    ]

    static let plan = Plan(steps: [
        PlanStep(
            id: "fetch-incidents",
            specialist: .data,
            tool: "sql.query",
            input: fetchInput,
            dependsOn: [],
            risk: .low,
            limits: StepLimits(timeoutSeconds: 60, maxAttempts: 3, maxOutputBytes: 1_048_576),
            description: "Load yesterday's P1 incidents"
        ),
        PlanStep(
            id: "summarise",
            specialist: .data,
            tool: "text.summarise",
            input: ["rows": "{{steps.fetch-incidents.output.rows}}", "style": "bullets", "maxWords": 200],
            dependsOn: ["fetch-incidents"],
            risk: .low,
            limits: StepLimits(timeoutSeconds: 120, maxAttempts: 2)
        ),
        PlanStep(
            id: "post-summary",
            specialist: .comm,
            tool: "slack.post",
            input: ["channel": "C05OPSDAILY", "text": "{{steps.summarise.output.text}}", "unfurlLinks": false],
            dependsOn: ["summarise"],
            risk: .high,
            limits: StepLimits(timeoutSeconds: 30, maxAttempts: 5),
            description: "Post the digest to #ops-daily"
        ),
    ])

    static let runPlanned = Envelope(
        id: plannedId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_852.031),
        tenant: "acme",
        runId: runId,
        correlationId: requestId,
        causationId: modelReplyId,
        traceparent: traceparent,
        payload: .runPlanned(RunPlanned(plan: plan))
    )

    static let runCompleted = Envelope(
        id: uuid("95a6b7c8-d9ea-4fb0-8218-394a5b6c7d8e"),
        occurredAt: Date(timeIntervalSince1970: 1_772_443_200.090),
        tenant: "acme",
        runId: runId,
        correlationId: requestId,
        causationId: stepDoneId,
        traceparent: traceparent,
        payload: .runCompleted(RunCompleted(
            status: .completed,
            summary: "Posted a digest of 3 P1 incidents to #ops-daily",
            outputs: [
                "messageTs": "1772443199.004500",
                "incidentCount": 3,
                "incidents": ["INC-4411", "INC-4415", "INC-4420"],
            ],
            costUSD: 0.0184,
            promptTokens: 5210,
            completionTokens: 742
        ))
    )

    static let runFailed = Envelope(
        id: uuid("a6b7c8d9-eafb-4a01-9329-4a5b6c7d8e9f"),
        occurredAt: Date(timeIntervalSince1970: 1_772_443_200.090),
        tenant: "acme",
        runId: runId,
        correlationId: requestId,
        causationId: stepFailedId,
        payload: .runFailed(RunFailed(
            reason: "Step summarise failed after 2 attempts: the tool timed out after 120 s",
            failedStepId: "summarise",
            code: "step_failed"
        ))
    )

    static let workItem = Envelope(
        id: workId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_852.040),
        tenant: "acme",
        runId: runId,
        stepId: "fetch-incidents",
        correlationId: requestId,
        causationId: plannedId,
        traceparent: workerTraceparent,
        attempt: 2,
        payload: .workItem(WorkItem(
            stepId: "fetch-incidents",
            specialist: .data,
            tool: "sql.query",
            input: fetchInput,
            limits: StepLimits(timeoutSeconds: 60, maxAttempts: 3, maxOutputBytes: 1_048_576),
            idempotencyKey: "0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01/fetch-incidents",
            risk: .low
        ))
    )

    static let stepCompleted = Envelope(
        id: stepDoneId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_940.118),
        tenant: "acme",
        runId: runId,
        stepId: "fetch-incidents",
        correlationId: requestId,
        causationId: workId,
        traceparent: workerTraceparent,
        payload: .stepCompleted(StepCompleted(
            output: [
                "rowCount": 3,
                "truncated": false,
                "columns": ["id", "title", "severity", "opened_at"],
                "rows": [
                    ["INC-4411", "Checkout latency above 2 s", "P1", "2026-03-01T07:02:11Z"],
                    ["INC-4415", "Payments provider returning 502", "P1", "2026-03-01T13:45:00Z"],
                    ["INC-4420", "Search index stale \"eu-west\"", "P1", nil],
                ],
            ],
            durationMs: 842,
            idempotencyKey: "0b9f3c52-8d1e-4a7b-9c2f-5e6d7a8b9c01/fetch-incidents"
        ))
    )

    static let stepFailed = Envelope(
        id: stepFailedId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_962.500),
        tenant: "acme",
        runId: runId,
        stepId: "summarise",
        correlationId: requestId,
        causationId: workId,
        payload: .stepFailed(StepFailed(
            error: "text.summarise did not finish within 120 s",
            code: "timeout",
            retryable: true,
            durationMs: 120_004
        ))
    )

    static let approvalRequested = Envelope(
        id: approvalRequestedId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_965.007),
        tenant: "acme",
        runId: runId,
        stepId: "post-summary",
        correlationId: requestId,
        causationId: stepDoneId,
        traceparent: traceparent,
        payload: .approvalRequested(ApprovalRequested(
            approvalId: approvalId,
            kind: .step,
            stepId: "post-summary",
            summary: "Post a 3-incident digest to #ops-daily (slack.post)",
            risk: .high,
            approverRoles: ["approver", "admin"],
            deadline: Date(timeIntervalSince1970: 1_772_446_800)
        ))
    )

    static let approvalDecided = Envelope(
        id: uuid("8495a6b7-c8d9-4eaf-b107-28394a5b6c7d"),
        occurredAt: Date(timeIntervalSince1970: 1_772_443_050.250),
        tenant: "acme",
        runId: runId,
        correlationId: requestId,
        causationId: approvalRequestedId,
        payload: .approvalDecided(ApprovalDecided(
            approvalId: approvalId,
            decision: .approved,
            decidedBy: "U04BOB",
            comment: "Fine, but post in the thread",
            editedPlan: Plan(steps: [
                PlanStep(
                    id: "post-summary",
                    specialist: .comm,
                    tool: "slack.post",
                    input: [
                        "channel": "C05OPSDAILY",
                        "threadTs": "1772442847.001200",
                        "text": "{{steps.summarise.output.text}}",
                    ],
                    risk: .high,
                    limits: StepLimits(timeoutSeconds: 30, maxAttempts: 5)
                ),
            ]),
            via: .slack
        ))
    )

    static let modelRequest = Envelope(
        id: modelRequestId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_847.480),
        tenant: "acme",
        runId: runId,
        correlationId: modelRequestId,
        causationId: requestId,
        traceparent: traceparent,
        payload: .modelRequest(ModelRequest(
            alias: "planner",
            messages: [
                .system("You plan work as JSON steps. Tools: sql.query, text.summarise, slack.post."),
                ChatMessage(
                    role: .user,
                    content: "Summarise yesterday's P1 incidents and post the summary in #ops-daily",
                    name: "U04ALICE"
                ),
            ],
            responseFormat: .jsonSchema(name: "plan", schema: [
                "type": "object",
                "required": ["steps"],
                "properties": ["steps": ["type": "array", "minItems": 1]],
                "additionalProperties": false,
            ]),
            maxTokens: 2048,
            temperature: 0.2,
            complexity: .medium,
            purpose: "plan",
            cache: false
        ))
    )

    static let modelReply = Envelope(
        id: modelReplyId,
        occurredAt: Date(timeIntervalSince1970: 1_772_442_849.902),
        tenant: "acme",
        runId: runId,
        correlationId: modelRequestId,
        causationId: modelRequestId,
        traceparent: traceparent,
        payload: .modelReply(ModelReply(
            content: #"{"steps":[{"id":"fetch-incidents","specialist":"data","tool":"sql.query"}]}"#,
            finishReason: "stop",
            entry: "anthropic/claude-sonnet",
            tried: ["openai/gpt-4.1", "anthropic/claude-sonnet"],
            promptTokens: 1830,
            completionTokens: 412,
            costUSD: 0.01167,
            cached: false
        ))
    )

    static let modelReplyOverBudget = Envelope(
        id: uuid("b7c8d9ea-fb0c-4d1e-8f20-31425364758a"),
        occurredAt: Date(timeIntervalSince1970: 1_772_442_962.501),
        tenant: "acme",
        runId: runId,
        correlationId: uuid("c9d0e1f2-a3b4-4c5d-9e6f-708192a3b4c5"),
        causationId: uuid("c9d0e1f2-a3b4-4c5d-9e6f-708192a3b4c5"),
        payload: .modelReply(ModelReply(
            content: "",
            error: ModelError(code: .overBudget, message: "run budget of 2.50 USD would be exceeded (spent 2.49 USD)")
        ))
    )

    private static func uuid(_ text: String) -> UUID {
        guard let value = UUID(uuidString: text) else { preconditionFailure("bad UUID literal \(text)") }
        return value
    }
}
