/// A comment on a Jira issue (`POST /rest/api/2/issue/{key}/comment`).
///
/// ```swift
/// let comment = JiraComment(issue: "OPS-1234", body: "The run finished: ...")
/// ```
public struct JiraComment: Sendable, Hashable {
    /// Jira's limit on a comment body is 32,767 characters; longer bodies are cut to this many.
    public static let maxBodyLength = 32_000

    /// The issue key (`OPS-1234`) or numeric id.
    public var issue: String
    /// The comment in Jira wiki markup.
    public var body: String
    /// The Jira site the issue belongs to, when known (from a run's source reference). It is only
    /// a hint: the comment is posted to the configured `AGENTRY_JIRA_BASE_URL`, and only when that
    /// is the same site; a message naming another site goes to the capture instead.
    public var site: String?

    public init(issue: String, body: String, site: String? = nil) {
        self.issue = issue
        self.body = body
        self.site = site
    }

    /// Whether `issue` is an issue key (`PROJ-123`) or a numeric issue id, and nothing else, so it
    /// can be placed in a URL path.
    public static func isValidIssue(_ issue: String) -> Bool {
        let scalars = Array(issue.unicodeScalars)
        guard !scalars.isEmpty, scalars.count <= 255, scalars.allSatisfy(\.isASCII) else { return false }
        if scalars.allSatisfy({ ("0"..."9").contains($0) }) { return true }
        guard let dash = scalars.lastIndex(of: "-"), dash > 0, dash < scalars.count - 1 else { return false }
        let project = scalars[..<dash]
        let number = scalars[(dash + 1)...]
        guard let first = project.first, ("A"..."Z").contains(first) || ("a"..."z").contains(first) else { return false }
        let projectOK = project.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        return projectOK && number.allSatisfy { ("0"..."9").contains($0) }
    }
}
