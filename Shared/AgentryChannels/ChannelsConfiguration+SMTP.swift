import AgentryHTTP
import AgentryServiceKit

extension ChannelsConfiguration {
    /// An SMTP server.
    public struct SMTP: Sendable, CustomStringConvertible, CustomReflectable {
        /// Whether a plain `smtp://` connection is upgraded with STARTTLS.
        public enum StartTLS: String, Sendable, CaseIterable {
            /// Upgrade or fail (the default).
            case required
            /// Upgrade when offered.
            case ifAvailable = "if_available"
            /// Never upgrade: local relays and tests only.
            case disabled
        }

        /// `smtp://host:587` or `smtps://host:465`. `AGENTRY_SMTP_URL`.
        public var url: String
        /// `AGENTRY_SMTP_STARTTLS`: `required` (default), `if_available` or `disabled`.
        public var startTLS: StartTLS
        /// `AGENTRY_SMTP_USERNAME`, if the server wants a login.
        public var username: String?
        /// `AGENTRY_SMTP_PASSWORD`. Never printed.
        public var password: String?

        public init(url: String, startTLS: StartTLS = .required, username: String? = nil, password: String? = nil) {
            self.url = url
            self.startTLS = startTLS
            self.username = username
            self.password = password
        }

        /// The settings for ``AgentryHTTP/HTTPClient/sendMail(_:via:)``.
        public func configuration(timeout: Duration) -> SMTPConfiguration {
            let startTLS: SMTPConfiguration.StartTLS = switch self.startTLS {
            case .required: .required
            case .ifAvailable: .ifAvailable
            case .disabled: .disabled
            }
            return SMTPConfiguration(
                url: url, startTLS: startTLS, username: username, password: password,
                timeouts: .init(connect: min(timeout, .seconds(10)), total: timeout))
        }

        public var description: String {
            "SMTP(url: \(Redaction.url(url)), startTLS: \(startTLS.rawValue), username: \(username ?? "none"), "
                + "password: \(password == nil ? "none" : "<redacted>"))"
        }

        /// Mirrors the redacted description, so `dump` never shows a secret.
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }
}
