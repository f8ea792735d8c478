import AgentryContracts
import Foundation

extension IngestAPI {
    /// The run statuses `GET /v1/runs?status=` accepts.
    static let runStatuses: Set<String> = [
        "pending", "planning", "running", "waiting_for_approval", "paused", "completed", "failed", "cancelled", "rejected",
    ]

    /// `POST /v1/runs`: publishes `run.requested` and answers 202 `{"runId": "…"}` once the broker
    /// confirmed it.
    func submitRun(_ request: APIRequest, principal: APIPrincipal = .unrestricted) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            try request.requireJSON()
            let (tenant, payload) = try APIJSON.decode(RunSubmission.self, from: request.body)
                .validated(defaultTenant: principal.tenant ?? configuration.defaultTenant)
            try Self.require(principal, covers: tenant)
            let runId = try await requestRun(payload, tenant: tenant, traceparent: request.header("traceparent"))
            return .json(.accepted, RunAccepted(runId: runId.wireString), location: "/v1/runs/\(runId.wireString)")
        }
    }

    /// Publishes `run.requested` for `tenant` under the run id ``RunIdentity`` assigns, and returns
    /// that id once the broker confirmed the envelope.
    func requestRun(_ payload: RunRequested, tenant: String, traceparent: String?) async throws(APIError) -> UUID {
        let runId = RunIdentity.runId(tenant: tenant, source: payload.source, externalEventId: payload.externalEventId)
        let envelope = Envelope(
            tenant: tenant, runId: runId, traceparent: TraceContext.traceparent(continuing: traceparent),
            payload: .runRequested(payload))
        try await confirm(envelope)
        metrics.runRequested(source: payload.source)
        logger.info("run requested", metadata: [
            "run.id": "\(runId.wireString)", "tenant": "\(tenant)", "source": "\(payload.source.rawValue)",
            "envelope.id": "\(envelope.id.wireString)",
        ])
        return runId
    }

    /// `GET /v1/runs/{id}`: the run with its steps, approvals, deliveries and outputs.
    func run(id text: String, principal: APIPrincipal = .unrestricted) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            let id = try Self.id(text, of: "run")
            guard let run = try await read({ try await store.run(id: id) }), principal.covers(run.tenant) else {
                throw .notFound("there is no run \(id.wireString)")
            }
            return .json(.ok, run)
        }
    }

    /// `GET /v1/runs?limit=&status=&tenant=&source=&since=&until=&thread=&cursor=`: runs, newest first
    /// (50 by default, at most 500), with `next` for the following page when this one is full.
    func listRuns(
        limit: String?, status: String?, tenant: String?, source: String? = nil, since: String? = nil,
        until: String? = nil, cursor: String? = nil, thread: String? = nil, principal: APIPrincipal = .unrestricted
    ) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            var filter = RunFilter(limit: try Self.limit(limit), status: nil, tenant: nil)
            if let status {
                guard Self.runStatuses.contains(status) else {
                    throw .invalidRequest("status must be one of \(Self.runStatuses.sorted().joined(separator: ", "))")
                }
                filter.status = status
            }
            if let tenant {
                guard Tenant.isValid(tenant) else { throw .invalidRequest("tenant: \(Tenant.rule)") }
                filter.tenant = tenant
            }
            filter.tenant = try Self.scope(filter.tenant, to: principal)
            if let source {
                guard RunSource(rawValue: source) != nil else {
                    throw .invalidRequest("source must be one of \(RunSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.source = source
            }
            for (name, text) in [("since", since), ("until", until)] {
                guard let text else { continue }
                guard let date = RFC3339.date(from: text) else {
                    throw .invalidRequest("\(name) must be an RFC 3339 time such as 2026-03-02T09:00:00Z")
                }
                if name == "since" { filter.since = date } else { filter.until = date }
            }
            if let thread { filter.thread = try Self.id(thread, of: "thread (run)") }
            if let cursor {
                guard let position = RunCursor(token: cursor) else {
                    throw .invalidRequest("cursor is not one this API gave out (use the next of the previous page)")
                }
                filter.after = position
            }
            let page = try await read { try await store.runs(matching: filter) }
            return .json(.ok, RunList(runs: page.runs, next: page.next?.token))
        }
    }
}

/// The answer to `POST /v1/runs`.
struct RunAccepted: Codable, Sendable, Equatable {
    var runId: String
}

/// The answer to `GET /v1/runs`.
struct RunList: Codable, Sendable, Equatable {
    var runs: [RunSummary]
    /// The `cursor` of the next page, when this one is full.
    var next: String? = nil
}
