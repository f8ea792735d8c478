import AgentryContracts
import Foundation

extension IngestAPI {
    /// `POST /v1/webhooks/jira`: verifies the body's HMAC (`X-Hub-Signature: sha256=…`, 401
    /// otherwise) before parsing, then turns an `issue_created`, `issue_updated` or
    /// `comment_created` event that addresses the bot (``JiraEventMapper``) into `run.requested`
    /// from Jira, linked to the issue; 200 once the broker confirmed it. Other events are
    /// acknowledged as ignored. Jira's `X-Atlassian-Webhook-Identifier` (the same on retries) is the
    /// external event id, so a retried delivery is one run.
    func receiveJiraWebhook(_ request: APIRequest) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            guard let settings = configuration.jira else {
                throw APIError(
                    .notFound, code: "jira_not_configured", "Jira webhooks are disabled: AGENTRY_JIRA_WEBHOOK_SECRET is not set")
            }
            try HMACSignatureVerifier(secret: settings.secret)
                .verify(request, header: "X-Hub-Signature", signer: "the Jira webhook secret")
            try request.requireJSON()
            let payload = try APIJSON.decode(JiraWebhookPayload.self, from: request.body)
            switch try JiraEventMapper(settings: settings).outcome(
                for: payload, deliveryId: request.header("x-atlassian-webhook-identifier")) {
            case .ignored(let reason):
                metrics.jiraEventIgnored(reason: reason)
                return .json(.ok, SlackAcknowledgement(ok: true, runId: nil, ignored: reason))
            case .run(let tenant, let run):
                let runId = try await requestRun(run, tenant: tenant, traceparent: request.header("traceparent"))
                return .json(.ok, SlackAcknowledgement(ok: true, runId: runId.wireString, ignored: nil))
            }
        }
    }
}
