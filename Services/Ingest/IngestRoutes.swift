import HTTPTypes
import Hummingbird
import Logging

/// The public API's routes over ``IngestAPI``:
///
/// | Route | Answer |
/// |---|---|
/// | `GET /openapi.yaml` | the OpenAPI 3.1 document of these routes |
/// | `POST /v1/runs` | 202 `{"runId"}` once `run.requested` is confirmed |
/// | `POST /v1/webhooks/slack` | Slack Events API (signed) |
/// | `POST /v1/webhooks/slack/interactivity` | Slack interactivity: the notifier's Approve / Reject buttons (signed) |
/// | `POST /v1/webhooks/slack/commands` | Slack slash commands (signed) |
/// | `POST /v1/webhooks/jira` | Jira issue and comment webhooks (HMAC-signed) |
/// | `POST /v1/webhooks/generic/{name}` | a configured webhook (HMAC-signed), mapped to a run |
/// | `POST /v1/webhooks/email` | inbound email, raw or a provider's form (token) |
/// | `GET /v1/runs` | `{"runs": [...]}`, newest first |
/// | `GET /v1/runs/{id}` | the run with steps, approvals, deliveries and outputs |
/// | `GET /v1/runs/{id}/events` | the run's audit entries as live server-sent events, resumable with `Last-Event-ID` |
/// | `GET /v1/runs/{id}/audit` | the run's audit entries in chain order, paged by `after` |
/// | `GET /v1/approvals` | approvals with their runs (pending by default), oldest first |
/// | `POST /v1/runs/{id}/cancel\|pause\|resume` | 202 once `run.control` is confirmed |
/// | `POST /v1/approvals/{id}` | 202 once `approval.decided` is confirmed |
///
/// Bodies are read up to ``IngestConfiguration/maxBodyBytes`` (emails up to ``EmailSettings/maxBytes``;
/// 413 beyond); every error is JSON.
enum IngestRoutes {
    static func router(api: IngestAPI) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware(metrics: api.metrics, logger: api.logger))
        let limit = api.configuration.maxBodyBytes
        router.get("/openapi.yaml") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.post("/v1/runs") { request, _ in
            try await guarded(api, .submit, request, limit: limit) { principal, body in
                await api.submitRun(body, principal: principal).response
            }
        }
        router.get("/v1/runs") { request, _ in
            try await guarded(api, .read, request) { principal, _ in
                let query = request.uri.queryParameters
                return await api.listRuns(
                    limit: query.get("limit"), status: query.get("status"), tenant: query.get("tenant"),
                    source: query.get("source"), since: query.get("since"), until: query.get("until"),
                    cursor: query.get("cursor"), thread: query.get("thread"), principal: principal
                ).response
            }
        }
        router.get("/v1/runs/:id") { request, context in
            try await guarded(api, .read, request) { principal, _ in
                await api.run(id: context.parameters.get("id") ?? "", principal: principal).response
            }
        }
        router.get("/v1/runs/:id/audit") { request, context in
            try await guarded(api, .read, request) { principal, _ in
                let query = request.uri.queryParameters
                return await api.runAudit(
                    id: context.parameters.get("id") ?? "", after: query.get("after"), limit: query.get("limit"),
                    principal: principal
                ).response
            }
        }
        router.get("/v1/runs/:id/events") { request, context in
            try await guarded(api, .read, request) { principal, _ in
                await RunEventStream(api: api).response(
                    id: context.parameters.get("id") ?? "",
                    lastEventId: request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.uri.queryParameters.get("after"),
                    principal: principal)
            }
        }
        router.get("/v1/approvals") { request, _ in
            try await guarded(api, .read, request) { principal, _ in
                let query = request.uri.queryParameters
                return await api.listApprovals(
                    limit: query.get("limit"), status: query.get("status"), tenant: query.get("tenant"), principal: principal
                ).response
            }
        }
        router.post("/v1/runs/:id/:action") { request, context in
            try await guarded(api, .control, request, limit: limit) { principal, body in
                await api.controlRun(
                    id: context.parameters.get("id") ?? "", action: context.parameters.get("action") ?? "", body,
                    principal: principal
                ).response
            }
        }
        router.post("/v1/approvals/:id") { request, context in
            try await guarded(api, .decide, request, limit: limit) { principal, body in
                await api.decideApproval(id: context.parameters.get("id") ?? "", body, principal: principal).response
            }
        }
        router.post("/v1/webhooks/slack") { request, _ in
            await api.receiveSlackEvent(try await read(request, limit: limit)).response
        }
        router.post("/v1/webhooks/slack/interactivity") { request, _ in
            await api.receiveSlackInteraction(try await read(request, limit: limit)).response
        }
        router.post("/v1/webhooks/slack/commands") { request, _ in
            await api.receiveSlackCommand(try await read(request, limit: limit)).response
        }
        router.post("/v1/webhooks/jira") { request, _ in
            await api.receiveJiraWebhook(try await read(request, limit: limit)).response
        }
        router.post("/v1/webhooks/email") { request, _ in
            let token: String? = request.uri.queryParameters.get("token")
            // The token needs only the headers: an unauthenticated caller's body is never read.
            let settings = try IngestAPI.verifyEmailToken(
                APIRequest(headers: headers(of: request)), queryToken: token, settings: api.configuration.email)
            return await api.receiveEmail(try await read(request, limit: settings.maxBytes), queryToken: token).response
        }
        router.post("/v1/webhooks/generic/:name") { request, context in
            await api.receiveGenericWebhook(
                name: context.parameters.get("name") ?? "", try await read(request, limit: limit)
            ).response
        }
        return router
    }

    /// An API route: the caller is authorized for `permission` first (``IngestAPI/authorize(_:_:)``),
    /// then `handler` gets the principal and the request (with its body when `limit` is given).
    static func guarded(
        _ api: IngestAPI, _ permission: APIPermission, _ request: Request, limit: Int? = nil,
        _ handler: (APIPrincipal, APIRequest) async -> Response
    ) async throws -> Response {
        // A refusal is thrown to APIErrorMiddleware, which answers and counts it.
        let apiRequest = APIRequest(headers: headers(of: request))
        let principal = try await api.authorize(apiRequest, permission)
        guard let limit else { return await handler(principal, apiRequest) }
        return await handler(principal, try await read(request, limit: limit))
    }

    /// The request's header fields by lowercased name (repeated fields joined with ", ").
    static func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        return headers
    }

    /// The request's headers and body, refusing bodies over `limit` bytes (by `Content-Length`
    /// before reading, and while reading).
    ///
    /// - Throws: ``APIError/bodyTooLarge(limit:)``; 400 when the body ends early.
    static func read(_ request: Request, limit: Int) async throws(APIError) -> APIRequest {
        let headers = headers(of: request)
        if let length = headers["content-length"].flatMap({ Int($0) }), length > limit {
            throw .bodyTooLarge(limit: limit)
        }
        var body: [UInt8] = []
        do {
            for try await chunk in request.body {
                guard body.count + chunk.readableBytes <= limit else { throw APIError.bodyTooLarge(limit: limit) }
                body.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw .invalidRequest("the body could not be read: it ended early")
        }
        return APIRequest(headers: headers, body: body)
    }
}
