import AgentryServiceKit

extension ChannelsConfiguration {
    /// A Jira site.
    public struct Jira: Sendable, CustomStringConvertible, CustomReflectable {
        /// How requests authenticate.
        public enum Credentials: Sendable {
            /// `Authorization: Basic` with a user (email) and API token: Jira Cloud.
            case basic(user: String, apiToken: String)
            /// `Authorization: Bearer` with a personal access token: Jira Data Center.
            case bearer(token: String)
        }

        /// The site, e.g. `https://acme.atlassian.net`. `AGENTRY_JIRA_BASE_URL`.
        public var baseURL: String
        /// `AGENTRY_JIRA_USER` with `AGENTRY_JIRA_API_TOKEN` (basic), or the token alone (bearer).
        public var credentials: Credentials

        public init(baseURL: String, credentials: Credentials) {
            self.baseURL = ChannelsConfiguration.trimmingTrailingSlashes(baseURL)
            self.credentials = credentials
        }

        public var description: String {
            switch credentials {
            case .basic(let user, _): "Jira(baseURL: \(Redaction.url(baseURL)), user: \(user), apiToken: <redacted>)"
            case .bearer: "Jira(baseURL: \(Redaction.url(baseURL)), token: <redacted>)"
            }
        }

        /// Mirrors the redacted description, so `dump` never shows a secret.
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }
}
