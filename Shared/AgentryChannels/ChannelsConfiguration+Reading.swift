import AgentryHTTP
import AgentryServiceKit
import Foundation

extension ChannelsConfiguration {
    /// Reads the channel settings through `reader` (environment variables or `<NAME>_FILE`).
    ///
    /// - Throws: ``AgentryServiceKit/ConfigurationError`` naming the variable: a URL with the wrong
    ///   scheme, a Slack URL without a token, an SMTP URL without a sender, half a Jira login.
    public init(reader: ConfigurationReader) throws(ConfigurationError) {
        let timeoutSeconds = try reader.integer("AGENTRY_CHANNEL_TIMEOUT_SECONDS", default: 30, in: 1...300)

        var slack: Slack?
        if let apiURL = try Self.optionalURL(reader, "AGENTRY_SLACK_API_URL", schemes: ["http", "https"]) {
            guard let token = try reader.string("AGENTRY_SLACK_BOT_TOKEN") else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_SLACK_BOT_TOKEN", reason: "must be set when AGENTRY_SLACK_API_URL is")
            }
            slack = Slack(apiURL: apiURL, botToken: token)
        }

        var smtp: SMTP?
        var sender = Self.defaultSender
        if let from = try reader.string("AGENTRY_SMTP_FROM") {
            guard let parsed = Self.parseMailbox(from) else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_SMTP_FROM",
                    reason: "must be an address such as agentry@example.com or Agentry <agentry@example.com>")
            }
            sender = parsed
        }
        if let url = try Self.optionalURL(reader, "AGENTRY_SMTP_URL", schemes: ["smtp", "smtps"]) {
            guard try reader.string("AGENTRY_SMTP_FROM") != nil else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_SMTP_FROM", reason: "must be set when AGENTRY_SMTP_URL is")
            }
            let username = try reader.string("AGENTRY_SMTP_USERNAME")
            let password = try reader.string("AGENTRY_SMTP_PASSWORD")
            if (username == nil) != (password == nil) {
                throw ConfigurationError(
                    .invalidValue, key: username == nil ? "AGENTRY_SMTP_USERNAME" : "AGENTRY_SMTP_PASSWORD",
                    reason: "AGENTRY_SMTP_USERNAME and AGENTRY_SMTP_PASSWORD are set together or not at all")
            }
            smtp = SMTP(
                url: url, startTLS: try reader.choice("AGENTRY_SMTP_STARTTLS", default: SMTP.StartTLS.required),
                username: username, password: password)
        }

        var jira: Jira?
        if let baseURL = try Self.optionalURL(reader, "AGENTRY_JIRA_BASE_URL", schemes: ["http", "https"]) {
            let user = try reader.string("AGENTRY_JIRA_USER")
            guard let token = try reader.string("AGENTRY_JIRA_API_TOKEN") else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_JIRA_API_TOKEN", reason: "must be set when AGENTRY_JIRA_BASE_URL is")
            }
            let credentials: Jira.Credentials = user.map { .basic(user: $0, apiToken: token) } ?? .bearer(token: token)
            jira = Jira(baseURL: baseURL, credentials: credentials)
        }

        self.init(slack: slack, smtp: smtp, jira: jira, sender: sender, timeout: .seconds(timeoutSeconds))
    }

    /// The URL in `key` if set, checked against `schemes` (the value is never quoted: it may hold a
    /// password).
    private static func optionalURL(
        _ reader: ConfigurationReader, _ key: String, schemes: Set<String>
    ) throws(ConfigurationError) -> String? {
        guard try reader.string(key) != nil else { return nil }
        let url = try reader.url(key, default: "", schemes: schemes)
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else {
            throw ConfigurationError(.invalidValue, key: key, reason: "must name a host")
        }
        return url
    }

    /// `agentry@example.com` or `Name <agentry@example.com>`, if valid.
    static func parseMailbox(_ text: String) -> MailAddress? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var name = text[..<open].trimmingCharacters(in: .whitespaces)
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            let mailbox = MailAddress(address, name: name.isEmpty ? nil : name)
            return mailbox.isValid ? mailbox : nil
        }
        let mailbox = MailAddress(text)
        return mailbox.isValid ? mailbox : nil
    }
}
