import AgentryServiceKit
import Foundation

/// The ingest gateway's own settings, read once at start from the environment (each variable may
/// also be given as `<NAME>_FILE`). Documented in `docs/configuration.md`, "Ingest gateway".
///
/// ```swift
/// let configuration = try IngestConfiguration(environment: ProcessInfo.processInfo.environment)
/// ```
struct IngestConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The address the public API binds. `AGENTRY_API_HOST`; default `127.0.0.1` (loopback only).
    var apiHost: String
    /// The public API's port; `0` picks a free one. `AGENTRY_API_PORT`; default `8080`.
    var apiPort: Int
    /// The tenant of requests that name none. `AGENTRY_DEFAULT_TENANT`; default `default`.
    var defaultTenant: String
    /// The largest request body accepted, in bytes; larger ones get 413.
    /// `AGENTRY_MAX_BODY_BYTES`; default 1 MiB (1048576); 1024...67108864.
    var maxBodyBytes: Int
    /// The Slack app's signing secret; without it `POST /v1/webhooks/slack` is disabled.
    /// `AGENTRY_SLACK_SIGNING_SECRET` (a secret: prefer `AGENTRY_SLACK_SIGNING_SECRET_FILE`).
    var slackSigningSecret: String?
    /// Tenant per Slack workspace (team id). `AGENTRY_SLACK_TEAM_TENANTS`, e.g. `T123=acme,T456=beta`;
    /// teams not listed use ``defaultTenant``.
    var slackTeamTenants: [String: String]
    /// How long a request waits for the broker to confirm its envelope before answering 503.
    /// `AGENTRY_PUBLISH_TIMEOUT_SECONDS`; default 10; 1...120.
    var publishTimeout: Duration
    /// Jira webhooks (`AGENTRY_JIRA_*`); nil without `AGENTRY_JIRA_WEBHOOK_SECRET`.
    var jira: JiraSettings?
    /// Generic signed webhooks by name (`AGENTRY_WEBHOOKS`).
    var webhooks: [String: GenericWebhook]
    /// Inbound email (`AGENTRY_EMAIL_*`); nil without `AGENTRY_EMAIL_TOKEN`.
    var email: EmailSettings?
    /// How API routes authenticate. `AGENTRY_API_AUTH`: `keys` (the default: an API key with a role)
    /// or `none` (anyone who reaches the API; for a local, loopback-only installation).
    var apiAuth: APIAccess.Mode
    /// Requests per minute per tenant on the API routes; 0 turns the limit off.
    /// `AGENTRY_API_RATE_LIMIT`; default 600; 0...100000.
    var apiRateLimit: Int

    init(
        apiHost: String = "127.0.0.1",
        apiPort: Int = 8080,
        defaultTenant: String = "default",
        maxBodyBytes: Int = 1_048_576,
        slackSigningSecret: String? = nil,
        slackTeamTenants: [String: String] = [:],
        publishTimeout: Duration = .seconds(10),
        jira: JiraSettings? = nil,
        webhooks: [String: GenericWebhook] = [:],
        email: EmailSettings? = nil,
        apiAuth: APIAccess.Mode = .none,
        apiRateLimit: Int = 0
    ) {
        self.apiHost = apiHost
        self.apiPort = apiPort
        self.defaultTenant = defaultTenant
        self.maxBodyBytes = maxBodyBytes
        self.slackSigningSecret = slackSigningSecret
        self.slackTeamTenants = slackTeamTenants
        self.publishTimeout = publishTimeout
        self.jira = jira
        self.webhooks = webhooks
        self.email = email
        self.apiAuth = apiAuth
        self.apiRateLimit = apiRateLimit
    }

    /// Reads the settings from `environment`.
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable.
    init(environment: [String: String]) throws(ConfigurationError) {
        let reader = ConfigurationReader(environment: environment)
        let defaultTenant = try reader.string("AGENTRY_DEFAULT_TENANT", default: "default")
        guard Tenant.isValid(defaultTenant) else {
            throw ConfigurationError(.invalidValue, key: "AGENTRY_DEFAULT_TENANT", reason: Tenant.rule)
        }
        self.init(
            apiHost: try reader.string("AGENTRY_API_HOST", default: "127.0.0.1"),
            apiPort: try reader.integer("AGENTRY_API_PORT", default: 8080, in: 0...65_535),
            defaultTenant: defaultTenant,
            maxBodyBytes: try reader.integer("AGENTRY_MAX_BODY_BYTES", default: 1_048_576, in: 1_024...67_108_864),
            slackSigningSecret: try reader.string("AGENTRY_SLACK_SIGNING_SECRET"),
            slackTeamTenants: try Self.teamTenants(reader.string("AGENTRY_SLACK_TEAM_TENANTS", default: "")),
            publishTimeout: .seconds(try reader.integer("AGENTRY_PUBLISH_TIMEOUT_SECONDS", default: 10, in: 1...120)),
            jira: try JiraSettings.read(reader, defaultTenant: defaultTenant),
            webhooks: try GenericWebhook.read(reader, defaultTenant: defaultTenant),
            email: try EmailSettings.read(reader, defaultTenant: defaultTenant),
            apiAuth: try Self.authMode(reader.string("AGENTRY_API_AUTH", default: "keys")),
            apiRateLimit: try reader.integer("AGENTRY_API_RATE_LIMIT", default: 600, in: 0...100_000)
        )
    }

    /// `keys` or `none`.
    static func authMode(_ text: String) throws(ConfigurationError) -> APIAccess.Mode {
        guard let mode = APIAccess.Mode(rawValue: text.lowercased()) else {
            throw ConfigurationError(.invalidValue, key: "AGENTRY_API_AUTH", reason: "\"\(text)\" is not keys or none")
        }
        return mode
    }

    /// Parses `T123=acme,T456=beta` (spaces around entries are ignored).
    static func teamTenants(_ text: String) throws(ConfigurationError) -> [String: String] {
        var tenants: [String: String] = [:]
        for entry in text.split(separator: ",") {
            let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, Tenant.isValid(pair[1]) else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_SLACK_TEAM_TENANTS",
                    reason: "\"\(entry.trimmingCharacters(in: .whitespaces))\" is not TEAM_ID=tenant (\(Tenant.rule))")
            }
            guard tenants[pair[0]] == nil else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_SLACK_TEAM_TENANTS", reason: "team \(pair[0]) is listed twice")
            }
            tenants[pair[0]] = pair[1]
        }
        return tenants
    }

    /// A summary safe to log: the signing secret shows only whether it is set.
    var description: String {
        "api=\(apiHost):\(apiPort) defaultTenant=\(defaultTenant) maxBody=\(maxBodyBytes) "
            + "slack=\(slackSigningSecret == nil ? "disabled" : "enabled") slackTeams=\(slackTeamTenants.count) "
            + "publishTimeout=\(publishTimeout) jira=\(jira == nil ? "disabled" : "enabled") "
            + "webhooks=\(webhooks.keys.sorted().joined(separator: ",")) \(email?.description ?? "email=disabled") auth=\(apiAuth.rawValue) rateLimit=\(apiRateLimit)"
    }

    /// Mirrors the summary, so `dump` and test failures never show the signing secret.
    var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
