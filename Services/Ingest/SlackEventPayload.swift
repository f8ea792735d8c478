/// The parts of a Slack Events API request the gateway reads (`url_verification` and
/// `event_callback`); every other field is ignored.
struct SlackEventPayload: Decodable, Sendable {
    /// `url_verification`, `event_callback`, `app_rate_limited`, ...
    var type: String
    /// For `url_verification`: the value to echo.
    var challenge: String?
    /// The workspace, e.g. `T024BE7LD`.
    var teamId: String?
    /// Slack's id for the event, the same on every retry, e.g. `Ev08MFMKH6`.
    var eventId: String?
    var event: Event?
    /// The installations the event is delivered for; `userId` is the app's bot user.
    var authorizations: [Authorization]?

    struct Event: Decodable, Sendable {
        /// `app_mention`, `message`, ...
        var type: String
        var subtype: String?
        var user: String?
        var botId: String?
        var text: String?
        var ts: String?
        var threadTs: String?
        var channel: String?
        var channelType: String?

        private enum CodingKeys: String, CodingKey {
            case type, subtype, user, text, ts, channel
            case botId = "bot_id"
            case threadTs = "thread_ts"
            case channelType = "channel_type"
        }
    }

    struct Authorization: Decodable, Sendable {
        var userId: String?

        private enum CodingKeys: String, CodingKey {
            case userId = "user_id"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, challenge, event, authorizations
        case teamId = "team_id"
        case eventId = "event_id"
    }
}
