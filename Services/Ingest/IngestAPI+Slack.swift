import AgentryContracts
import Foundation

extension IngestAPI {
    /// `POST /v1/webhooks/slack`: verifies Slack's signature first (401 otherwise), then answers
    /// `url_verification` with its challenge, turns a person's mention or message into
    /// `run.requested` (200 once the broker confirmed it) and acknowledges everything else. A
    /// mention inside a thread that a run started continues that run's conversation (`threadRunId`).
    func receiveSlackEvent(_ request: APIRequest) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            try verifySlack(request)
            try request.requireJSON()
            let payload = try APIJSON.decode(SlackEventPayload.self, from: request.body)
            switch try slackMapper.outcome(for: payload) {
            case .challenge(let challenge):
                return .json(.ok, SlackChallenge(challenge: challenge))
            case .ignored(let reason):
                metrics.slackEventIgnored(reason: reason)
                logger.debug("slack event ignored", metadata: [
                    "slack.event.id": "\(payload.eventId ?? "")", "reason": "\(reason)",
                ])
                return .json(.ok, SlackAcknowledgement(ok: true, runId: nil, ignored: reason))
            case .run(let tenant, let run):
                // Slack's retry (X-Slack-Retry-Num) of an event whose run already exists is answered
                // at once; without the database it is published again, which the director folds.
                if let retry = request.header("x-slack-retry-num") {
                    let existing = RunIdentity.runId(tenant: tenant, source: run.source, externalEventId: run.externalEventId)
                    if let status = try? await store.runStatus(id: existing) {
                        metrics.slackEventIgnored(reason: "retry_of_known_event")
                        logger.debug("slack retry of a known event", metadata: [
                            "slack.event.id": "\(payload.eventId ?? "")", "slack.retry": "\(retry)", "run.status": "\(status)",
                        ])
                        return .json(.ok, SlackAcknowledgement(ok: true, runId: existing.wireString, ignored: nil))
                    }
                }
                var run = run
                if payload.event?.threadTs != nil {
                    run.threadRunId = await slackThread(of: run, tenant: tenant)
                }
                let runId = try await requestRun(run, tenant: tenant, traceparent: request.header("traceparent"))
                return .json(.ok, SlackAcknowledgement(ok: true, runId: runId.wireString, ignored: nil))
            }
        }
    }

    /// The run whose Slack thread a mention inside a thread continues. Slack wants its answer within
    /// 3 seconds, so a database that cannot say costs only the link, not the request: the run then
    /// starts a conversation of its own.
    private func slackThread(of run: RunRequested, tenant: String) async -> UUID? {
        guard let channel = run.sourceReference?.slackChannel, let threadTs = run.sourceReference?.slackThreadTs else { return nil }
        do {
            return try await store.slackThread(tenant: tenant, channel: channel, threadTs: threadTs)
        } catch {
            logger.warning("the Slack thread's run could not be looked up", metadata: ["error.message": "\(error)"])
            return nil
        }
    }
}

/// The answer to `url_verification`.
struct SlackChallenge: Codable, Sendable, Equatable {
    var challenge: String
}

/// The answer to an event: the run it became, or why it was ignored.
struct SlackAcknowledgement: Codable, Sendable, Equatable {
    var ok: Bool
    var runId: String?
    var ignored: String?
}
