import AgentryContracts
import Foundation

extension IngestAPI {
    /// `POST /v1/webhooks/generic/{name}`: a configured webhook (``GenericWebhook``, 404 for an
    /// unknown name). The raw body's HMAC-SHA256 under the webhook's secret, sent as
    /// `sha256=<hex>` in its signature header, is checked in constant time first (401); then the
    /// JSON body is mapped to a `run.requested` from `webhook` (400 naming a missing field) and
    /// answered 202 `{"runId"}` once the broker confirmed it.
    func receiveGenericWebhook(name: String, _ request: APIRequest) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            guard let hook = configuration.webhooks[name] else { throw .notFound("there is no webhook named \"\(name)\"") }
            try HMACSignatureVerifier(secret: hook.secret)
                .verify(request, header: hook.signatureHeader, signer: "webhook \"\(name)\"'s secret")
            try request.requireJSON()
            let body = try APIJSON.decode(JSONValue.self, from: request.body)
            let run = try hook.runRequest(body: body, header: request.header)
            let runId = try await requestRun(run, tenant: hook.tenant, traceparent: request.header("traceparent"))
            return .json(.accepted, RunAccepted(runId: runId.wireString), location: "/v1/runs/\(runId.wireString)")
        }
    }
}
