import AgentryContracts
import Crypto
import Foundation

/// Signs requests as Slack does (signature version `v0`): `X-Slack-Signature` is
/// `"v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body))` and
/// `X-Slack-Request-Timestamp` the Unix time in seconds.
struct SlackRequestSigner: Sendable {
    let signingSecret: String

    /// The `X-Slack-Signature` header for `body` sent at `timestamp`.
    func signature(timestamp: String, body: Data) -> String {
        var message = Data("v0:\(timestamp):".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(signingSecret.utf8)))
        return "v0=" + code.hexString
    }

    /// An Events API `event_callback` carrying an `app_mention` of the app by a person, as Slack
    /// sends it when someone writes `@agentry <text>` in a channel.
    static func appMention(
        text: String, eventId: String, at date: Date, team: String = "T0AGENTRY", channel: String = "C0OPS",
        user: String = "U0DEMO", botUser: String = "U0AGENTRY"
    ) throws -> Data {
        let seconds = Int(date.timeIntervalSince1970)
        let ts = String(format: "%d.%06d", seconds, Int(date.timeIntervalSince1970 * 1_000_000) % 1_000_000)
        let event: [String: Any] = [
            "type": "app_mention", "user": user, "text": "<@\(botUser)> \(text)", "ts": ts, "event_ts": ts,
            "channel": channel, "channel_type": "channel",
        ]
        let payload: [String: Any] = [
            "type": "event_callback", "team_id": team, "api_app_id": "A0AGENTRY", "event_id": eventId,
            "event_time": seconds, "event": event, "authorizations": [["user_id": botUser, "is_bot": true]],
        ]
        return try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
    }
}
