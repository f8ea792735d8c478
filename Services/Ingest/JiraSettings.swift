import AgentryServiceKit

/// How the gateway takes Jira webhooks (`POST /v1/webhooks/jira`); absent without a secret.
struct JiraSettings: Sendable, Equatable {
    /// The webhook's shared secret; Jira signs each body with it (`X-Hub-Signature: sha256=…`).
    /// `AGENTRY_JIRA_WEBHOOK_SECRET` (prefer `_FILE`).
    var secret: String
    /// An issue with this label starts a run when created or when the label is added.
    /// `AGENTRY_JIRA_TRIGGER_LABEL`; default `agentry`; `none` turns label triggers off.
    var triggerLabel: String?
    /// Text that, in a new comment or a new issue's description, asks for a run (the bot's
    /// mention, e.g. `[~accountid:5b10ac8d82e05b22cc7d4ef5]` or `@agentry`).
    /// `AGENTRY_JIRA_TRIGGER_MENTION`; default none.
    var triggerMention: String?
    /// Only issues of these project keys start runs; all when empty. `AGENTRY_JIRA_PROJECTS`, e.g. `OPS,SUP`.
    var projects: Set<String>
    /// The account the notifier comments as: its comments never start runs (no loops).
    /// `AGENTRY_JIRA_BOT_ACCOUNT_ID`.
    var botAccountId: String?
    /// The tenant of Jira's runs. `AGENTRY_JIRA_TENANT`; default the default tenant.
    var tenant: String

    /// Reads the settings; nil when `AGENTRY_JIRA_WEBHOOK_SECRET` is not set.
    static func read(_ reader: ConfigurationReader, defaultTenant: String) throws(ConfigurationError) -> JiraSettings? {
        guard let secret = try reader.string("AGENTRY_JIRA_WEBHOOK_SECRET") else { return nil }
        let tenant = try reader.string("AGENTRY_JIRA_TENANT", default: defaultTenant)
        guard Tenant.isValid(tenant) else { throw ConfigurationError(.invalidValue, key: "AGENTRY_JIRA_TENANT", reason: Tenant.rule) }
        let label = try reader.string("AGENTRY_JIRA_TRIGGER_LABEL") ?? "agentry"
        let projects = try reader.string("AGENTRY_JIRA_PROJECTS", default: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        return JiraSettings(
            secret: secret, triggerLabel: label.lowercased() == "none" ? nil : label,
            triggerMention: try reader.string("AGENTRY_JIRA_TRIGGER_MENTION"), projects: Set(projects),
            botAccountId: try reader.string("AGENTRY_JIRA_BOT_ACCOUNT_ID"), tenant: tenant)
    }
}
