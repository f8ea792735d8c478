import AgentryContracts

/// Turns a verified Slack Events API payload into what the gateway does with it.
///
/// - `url_verification` → the challenge.
/// - `event_callback` with an `app_mention` or `message` event from a person → a `run.requested`
///   with source `slack`, `externalEventId` = Slack's `event_id` (the same on Slack's retries), the
///   request text without the leading mention of the app (``SlackText``), and a source reference
///   to reply in the message's thread (or to start one under the message).
/// - Anything else is ignored (acknowledged, no run): bot messages (`bot_id` set or subtype
///   `bot_message`), message subtypes (edits, joins, deletions), events of other types, empty
///   requests, requests over 10,000 characters, and a channel `message` that mentions the app
///   (Slack delivers that mention as an `app_mention` too, which becomes the run).
struct SlackEventMapper: Sendable {
    /// The longest request accepted, in characters (as for `POST /v1/runs`).
    static let maximumRequestLength = 10_000

    /// The tenant of workspaces not in ``teamTenants``.
    let defaultTenant: String
    /// Tenant per Slack team id.
    let teamTenants: [String: String]

    /// - Throws: ``APIError`` 400 when an `event_callback` lacks what identifies the event.
    func outcome(for payload: SlackEventPayload) throws(APIError) -> SlackEventOutcome {
        switch payload.type {
        case "url_verification":
            guard let challenge = payload.challenge, !challenge.isEmpty, challenge.count <= 1_024 else {
                throw .invalidRequest("url_verification needs a challenge")
            }
            return .challenge(challenge)
        case "event_callback":
            return try eventOutcome(payload)
        default:
            return .ignored(reason: "unsupported_payload")
        }
    }

    private func eventOutcome(_ payload: SlackEventPayload) throws(APIError) -> SlackEventOutcome {
        guard let event = payload.event else { throw .invalidRequest("event_callback without an event") }
        guard event.type == "app_mention" || event.type == "message" else {
            return .ignored(reason: "unsupported_event")
        }
        if event.botId != nil || event.subtype == "bot_message" { return .ignored(reason: "bot_message") }
        if event.subtype != nil { return .ignored(reason: "message_subtype") }
        guard let team = payload.teamId, !team.isEmpty, let eventId = payload.eventId, !eventId.isEmpty,
              let channel = event.channel, !channel.isEmpty, let ts = event.ts, !ts.isEmpty
        else { throw .invalidRequest("event_callback needs team_id, event_id, event.channel and event.ts") }
        let text = event.text ?? ""
        if event.type == "message", event.channelType != "im", mentionsApp(text, payload.authorizations) {
            return .ignored(reason: "covered_by_app_mention")
        }
        let request = SlackText.request(from: text)
        guard !request.isEmpty else { return .ignored(reason: "empty_text") }
        guard request.count <= Self.maximumRequestLength else { return .ignored(reason: "request_too_long") }
        let reference = SourceReference(
            slackTeam: team, slackChannel: channel, slackThreadTs: event.threadTs ?? ts, slackUser: event.user)
        return .run(
            tenant: teamTenants[team] ?? defaultTenant,
            request: RunRequested(
                request: request, source: .slack, sourceReference: reference, externalEventId: eventId,
                requestedBy: event.user))
    }

    /// True when `text` mentions one of the app's bot users.
    private func mentionsApp(_ text: String, _ authorizations: [SlackEventPayload.Authorization]?) -> Bool {
        let botUsers = (authorizations ?? []).compactMap(\.userId).filter { !$0.isEmpty }
        return botUsers.contains { text.contains("<@\($0)>") || text.contains("<@\($0)|") }
    }
}
