import AgentryContracts
import Foundation

extension IngestAPI {
    /// Verifies Slack's v0 signature over the raw body before anything is parsed.
    ///
    /// - Throws: 404 when Slack is not configured, 401 for a missing, bad or stale signature.
    func verifySlack(_ request: APIRequest) throws(APIError) {
        guard let verifier = slackVerifier else {
            throw APIError(
                .notFound, code: "slack_not_configured", "Slack is disabled: AGENTRY_SLACK_SIGNING_SECRET is not set")
        }
        do throws(SlackSignatureError) {
            try verifier.verify(
                signature: request.header("x-slack-signature"), timestamp: request.header("x-slack-request-timestamp"),
                body: request.body, now: now())
        } catch {
            throw APIError(.unauthorized, code: "invalid_signature", error.description, reason: error.reason)
        }
    }

    /// `POST /v1/webhooks/slack/interactivity`: a signed interactivity request (form field
    /// `payload`). A `block_actions` press of the notifier's Approve or Reject button becomes an
    /// `approval.decided` with the Slack user as the approver (`slack:<user id>`), answered 200 once
    /// the broker confirmed it. A decided or unknown approval, and other interactions, are
    /// acknowledged with `ok: false` or `ignored` and publish nothing.
    func receiveSlackInteraction(_ request: APIRequest) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            try verifySlack(request)
            try FormURLEncoded.require(request)
            guard let payload = try FormURLEncoded.fields(request.body)["payload"], !payload.isEmpty else {
                throw .invalidRequest("an interactivity request carries its JSON in the form field \"payload\"")
            }
            let interaction = try APIJSON.decode(SlackInteraction.self, from: Array(payload.utf8))
            guard interaction.type == "block_actions" else {
                metrics.slackEventIgnored(reason: "unsupported_interaction")
                return .json(.ok, SlackInteractionAnswer(ok: true, ignored: "unsupported_interaction"))
            }
            guard let action = interaction.actions?.first(where: { SlackInteraction.decisions[$0.actionId] != nil }),
                  let decisionName = SlackInteraction.decisions[action.actionId],
                  let decision = ApprovalDecided.Decision(rawValue: decisionName) else {
                metrics.slackEventIgnored(reason: "unknown_action")
                return .json(.ok, SlackInteractionAnswer(ok: true, ignored: "unknown_action"))
            }
            guard let user = interaction.user, !user.id.isEmpty else {
                throw .invalidRequest("a block_actions payload needs the user who pressed the button")
            }
            let approvalId = try Self.id(action.value ?? "", of: "approval")
            do throws(APIError) {
                _ = try await publishDecision(
                    approvalId: approvalId, decision: decision, decidedBy: "slack:\(user.id)",
                    comment: user.username.map { "via Slack by @\($0)" }, via: .slack,
                    traceparent: request.header("traceparent"))
                return .json(.ok, SlackInteractionAnswer(ok: true, approvalId: approvalId.wireString, decision: decision.rawValue))
            } catch where error.status == .notFound || error.status == .conflict {
                // The button outlived its approval: tell the presser, change nothing.
                metrics.rejected(error)
                return .json(.ok, SlackInteractionAnswer(
                    ok: false, approvalId: approvalId.wireString, error: error.message))
            }
        }
    }

    /// `POST /v1/webhooks/slack/commands`: a signed slash command (`/agentry <request>`) becomes a
    /// `run.requested` from Slack in the command's channel, requested by the user; Slack's
    /// `trigger_id` is the external event id, so a repeated delivery is one run. The answer (within
    /// Slack's 3 seconds, once the broker confirmed) is an ephemeral message with the run id; an
    /// empty command gets the usage instead.
    func receiveSlackCommand(_ request: APIRequest) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            try verifySlack(request)
            try FormURLEncoded.require(request)
            let fields = try FormURLEncoded.fields(request.body)
            guard let team = fields["team_id"], !team.isEmpty, let channel = fields["channel_id"], !channel.isEmpty,
                  let user = fields["user_id"], !user.isEmpty, let trigger = fields["trigger_id"], !trigger.isEmpty
            else { throw .invalidRequest("a slash command needs team_id, channel_id, user_id and trigger_id") }
            let command = fields["command"] ?? "/agentry"
            let text = SlackText.request(from: fields["text"] ?? "")
            guard !text.isEmpty else {
                metrics.slackEventIgnored(reason: "empty_text")
                return .json(.ok, SlackCommandAnswer(
                    responseType: "ephemeral", text: "Usage: \(command) <what to do>, e.g. \(command) summarise the open incidents"))
            }
            guard text.count <= SlackEventMapper.maximumRequestLength else {
                throw .invalidRequest("the request is longer than \(SlackEventMapper.maximumRequestLength) characters")
            }
            let run = RunRequested(
                request: text, source: .slack,
                sourceReference: SourceReference(slackTeam: team, slackChannel: channel, slackUser: user),
                externalEventId: "command:\(trigger)", requestedBy: user)
            let runId = try await requestRun(
                run, tenant: slackMapper.teamTenants[team] ?? slackMapper.defaultTenant,
                traceparent: request.header("traceparent"))
            return .json(.ok, SlackCommandAnswer(
                responseType: "ephemeral", text: "Agentry is on it: run \(runId.wireString)", runId: runId.wireString))
        }
    }
}
