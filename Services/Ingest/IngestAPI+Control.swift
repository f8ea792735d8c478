import AgentryContracts
import Foundation

extension IngestAPI {
    /// Statuses a run ends in: control changes nothing after them.
    static let finishedStatuses: Set<String> = ["completed", "failed", "cancelled", "rejected"]

    /// `POST /v1/runs/{id}/cancel | pause | resume`: checks that the run exists (404) and that the
    /// action applies to its status (409: a finished run, pausing a run that is not running or
    /// waiting, resuming one that is not paused), then publishes `run.control` for the director and
    /// answers 202 once the broker confirmed it. The body is optional:
    /// `{"reason": "…", "requestedBy": "…"}`.
    func controlRun(
        id text: String, action actionName: String, _ request: APIRequest, principal: APIPrincipal = .unrestricted
    ) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            let id = try Self.id(text, of: "run")
            guard let action = RunControl.Action(rawValue: actionName) else {
                throw .notFound("there is no run action \"\(actionName)\"; use cancel, pause or resume")
            }
            var body = RunControlRequest()
            if !request.body.isEmpty {
                try request.requireJSON()
                body = try APIJSON.decode(RunControlRequest.self, from: request.body)
            }
            if let reason = body.reason, reason.count > 2_000 { throw .invalidRequest("reason is longer than 2,000 characters") }
            guard let run = try await read({ try await store.run(id: id) }), principal.covers(run.tenant) else {
                throw .notFound("there is no run \(id.wireString)")
            }
            let applies = switch action {
            case .cancel: !Self.finishedStatuses.contains(run.status)
            case .pause: run.status == "running" || run.status == "waiting_for_approval" || run.status == "planning"
            case .resume: run.status == "paused"
            }
            guard applies else {
                throw APIError(
                    .conflict, code: "run_state_conflict",
                    "run \(id.wireString) is \(run.status); it cannot be \(action == .cancel ? "cancelled" : action.rawValue + "d")")
            }
            let envelope = Envelope(
                tenant: run.tenant, runId: id, traceparent: TraceContext.traceparent(continuing: request.header("traceparent")),
                payload: .runControl(RunControl(action: action, reason: body.reason, requestedBy: body.requestedBy)))
            try await confirm(envelope)
            logger.info("run control requested", metadata: [
                "run.id": "\(id.wireString)", "action": "\(action.rawValue)", "requested.by": "\(body.requestedBy ?? "")",
            ])
            return .json(.accepted, RunControlAccepted(runId: id.wireString, action: action.rawValue, status: run.status))
        }
    }
}

/// The optional body of a control request.
struct RunControlRequest: Codable, Sendable, Equatable {
    var reason: String?
    var requestedBy: String?
}

/// The answer to a control request: what was asked, and the run's status when it was asked.
struct RunControlAccepted: Codable, Sendable, Equatable {
    var runId: String
    var action: String
    var status: String
}
