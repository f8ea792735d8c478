import AgentryContracts

/// What a verified Slack Events API request asks of the gateway.
enum SlackEventOutcome: Sendable, Equatable {
    /// `url_verification`: answer with the challenge.
    case challenge(String)
    /// An event that is a request for work: publish `run.requested` for `tenant`.
    case run(tenant: String, request: RunRequested)
    /// An event that is not a request (a bot's message, an edit, an empty mention): acknowledge it
    /// and do nothing. `reason` is a short metric label.
    case ignored(reason: String)
}
