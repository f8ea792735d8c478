import AgentryServiceKit

extension ChannelsConfiguration {
    /// Slack's Web API.
    public struct Slack: Sendable, CustomStringConvertible, CustomReflectable {
        /// The API base, e.g. `https://slack.com/api`; `chat.postMessage` is appended.
        /// `AGENTRY_SLACK_API_URL`.
        public var apiURL: String
        /// The bot token (`xoxb-...`), sent as `Authorization: Bearer`. `AGENTRY_SLACK_BOT_TOKEN`;
        /// required with `AGENTRY_SLACK_API_URL`. Never printed.
        public var botToken: String

        public init(apiURL: String, botToken: String) {
            self.apiURL = ChannelsConfiguration.trimmingTrailingSlashes(apiURL)
            self.botToken = botToken
        }

        public var description: String { "Slack(apiURL: \(Redaction.url(apiURL)), botToken: <redacted>)" }

        /// Mirrors the redacted description, so `dump` never shows a secret.
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }
}
