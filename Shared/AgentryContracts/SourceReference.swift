/// Where to find the originating conversation, issue or message, so replies land in the right place.
///
/// Only the fields that apply to the run's ``RunSource`` are set.
public struct SourceReference: Codable, Sendable, Equatable, Hashable {
    /// Slack workspace (team) id, e.g. `T024BE7LD`.
    public var slackTeam: String?
    /// Slack channel id, e.g. `C0123456789`.
    public var slackChannel: String?
    /// Timestamp of the thread's parent message, e.g. `1718000000.000100`.
    public var slackThreadTs: String?
    /// Slack user id of the person who asked.
    public var slackUser: String?
    /// Jira issue key, e.g. `OPS-1234`.
    public var jiraIssueKey: String?
    /// Base URL of the Jira site, e.g. `https://acme.atlassian.net`.
    public var jiraBaseURL: String?
    /// `Message-ID` of the inbound email, for threading the reply.
    public var emailMessageId: String?
    /// Sender address of the inbound email.
    public var emailFrom: String?
    /// The inbound email's `References` (earlier `Message-ID`s of its thread, oldest first), so a
    /// reply keeps the whole thread together in mail clients.
    public var emailReferences: [String]?
    /// Subject of the inbound email.
    public var emailSubject: String?
    /// Name of the configured generic webhook that received the event.
    public var webhookName: String?
    /// A link a person can open to see the origin (Slack permalink, issue URL).
    public var url: String?

    public init(
        slackTeam: String? = nil,
        slackChannel: String? = nil,
        slackThreadTs: String? = nil,
        slackUser: String? = nil,
        jiraIssueKey: String? = nil,
        jiraBaseURL: String? = nil,
        emailMessageId: String? = nil,
        emailFrom: String? = nil,
        emailReferences: [String]? = nil,
        emailSubject: String? = nil,
        webhookName: String? = nil,
        url: String? = nil
    ) {
        self.slackTeam = slackTeam
        self.slackChannel = slackChannel
        self.slackThreadTs = slackThreadTs
        self.slackUser = slackUser
        self.jiraIssueKey = jiraIssueKey
        self.jiraBaseURL = jiraBaseURL
        self.emailMessageId = emailMessageId
        self.emailFrom = emailFrom
        self.emailReferences = emailReferences
        self.emailSubject = emailSubject
        self.webhookName = webhookName
        self.url = url
    }
}
