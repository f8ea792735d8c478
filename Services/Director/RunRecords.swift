import AgentryContracts
import AgentryStore
import Foundation

/// The run row as the director works with it (always read `FOR UPDATE` inside a transaction).
struct RunRecord: Sendable {
    var id: UUID
    var tenant: String
    var source: String
    var request: String
    var status: RunStatus
    var plan: Plan?
    var planRequestId: UUID?
    var planAttempts: Int
    var costUSD: Double
    var promptTokens: Int
    var completionTokens: Int
    /// The first run of the conversation this run continues, if any.
    var threadRunId: UUID?

    /// Locks the run's row for the rest of the transaction and reads it; nil if there is no such run.
    static func lock(_ id: UUID, on connection: PostgresConnection) async throws -> RunRecord? {
        let rows = try await connection.query("""
            SELECT id, tenant, source, request, status, plan::text AS plan, plan_request_id, plan_attempts,
                   cost_usd::float8 AS cost_usd, prompt_tokens, completion_tokens, thread_run_id
            FROM runs WHERE id = \(id) FOR UPDATE
            """)
        guard let row = rows.first else { return nil }
        let statusText = try row.decode(String.self, column: "status")
        guard let status = RunStatus(rawValue: statusText) else {
            throw PostgresError(.decoding, "run \(id) has an unknown status '\(statusText)'")
        }
        let planText = try row.decode(String?.self, column: "plan")
        return RunRecord(
            id: try row.decode(UUID.self, column: "id"),
            tenant: try row.decode(String.self, column: "tenant"),
            source: try row.decode(String.self, column: "source"),
            request: try row.decode(String.self, column: "request"),
            status: status,
            plan: try planText.map { try JSONDecoder().decode(Plan.self, from: Data($0.utf8)) },
            planRequestId: try row.decode(UUID?.self, column: "plan_request_id"),
            planAttempts: try row.decode(Int.self, column: "plan_attempts"),
            costUSD: try row.decode(Double.self, column: "cost_usd"),
            promptTokens: try row.decode(Int.self, column: "prompt_tokens"),
            completionTokens: try row.decode(Int.self, column: "completion_tokens"),
            threadRunId: try row.decode(UUID?.self, column: "thread_run_id"))
    }
}

/// `runs.status`.
enum RunStatus: String, Sendable {
    case pending, planning, running, paused, completed, failed, cancelled, rejected
    case waitingForApproval = "waiting_for_approval"

    var isTerminal: Bool { [.completed, .failed, .cancelled, .rejected].contains(self) }
}

/// `steps.status`.
enum StepStatus: String, Sendable {
    case pending, ready, dispatched, approved, succeeded, failed, rejected, cancelled
    case awaitingApproval = "awaiting_approval"

    /// Statuses from which a step can still make progress.
    var isOpen: Bool { [.pending, .ready, .dispatched, .approved, .awaitingApproval].contains(self) }

    /// Whether the step has not started, so an edited plan may change it (``Plan/unstartedStepStatuses``).
    var isUnstarted: Bool { Plan.unstartedStepStatuses.contains(rawValue) }
}

/// A step row.
struct StepRecord: Sendable {
    var stepId: String
    var specialist: Specialist
    var tool: String
    var input: JSONValue
    var dependsOn: [String]
    var risk: RiskClass
    var status: StepStatus
    var attempts: Int
    var maxAttempts: Int
    var output: JSONValue?
    var idempotencyKey: String

    /// The step as an edited plan must keep it once it has started.
    var started: Plan.StartedStep {
        Plan.StartedStep(id: stepId, specialist: specialist, tool: tool, input: input, dependsOn: dependsOn, status: status.rawValue)
    }

    /// The outputs of the steps that succeeded, by step id: what later inputs may reference.
    static func outputs(of steps: [StepRecord]) -> [String: JSONValue] {
        var outputs: [String: JSONValue] = [:]
        for step in steps where step.status == .succeeded {
            if let output = step.output { outputs[step.stepId] = output }
        }
        return outputs
    }

    static func all(of runId: UUID, on connection: PostgresConnection) async throws -> [StepRecord] {
        let rows = try await connection.query("""
            SELECT step_id, specialist, tool, input::text AS input, depends_on, risk, status, attempts, max_attempts,
                   output::text AS output, idempotency_key
            FROM steps WHERE run_id = \(runId) ORDER BY created_at, step_id
            """)
        return try rows.map { row in
            let stepId = try row.decode(String.self, column: "step_id")
            func parse<T: RawRepresentable<String>>(_ type: T.Type, _ column: String) throws -> T {
                let text = try row.decode(String.self, column: column)
                guard let value = T(rawValue: text) else {
                    throw PostgresError(.decoding, "step \(stepId) has an unknown \(column) '\(text)'")
                }
                return value
            }
            return StepRecord(
                stepId: stepId,
                specialist: try parse(Specialist.self, "specialist"),
                tool: try row.decode(String.self, column: "tool"),
                input: try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(String.self, column: "input").utf8)),
                dependsOn: try row.decode([String].self, column: "depends_on"),
                risk: try parse(RiskClass.self, "risk"),
                status: try parse(StepStatus.self, "status"),
                attempts: try row.decode(Int.self, column: "attempts"),
                maxAttempts: try row.decode(Int.self, column: "max_attempts"),
                output: try row.decode(String?.self, column: "output").map {
                    try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
                },
                idempotencyKey: try row.decode(String?.self, column: "idempotency_key") ?? "\(runId):\(stepId)")
        }
    }
}
