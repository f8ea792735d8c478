/// What Jira returned for a new comment.
public struct JiraCommentResult: Sendable, Hashable {
    /// The comment's id.
    public var id: String

    public init(id: String) { self.id = id }
}
