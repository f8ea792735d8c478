import Foundation

/// `run.requested`: someone asked for work to be done.
///
/// The ingest gateway publishes it after verifying the source; the director turns it into a run.
/// `(tenant, source, externalEventId)` identifies the originating event, so the same Slack event
/// delivered twice is one run.
public struct RunRequested: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.runRequested
    public static let version = 1

    /// What the requester asked for, in their words.
    public var request: String
    /// Where the request came from.
    public var source: RunSource
    /// Where the conversation, issue or email lives, for replies.
    public var sourceReference: SourceReference?
    /// The source's own id for the event (Slack `event_id`, Jira webhook id, email `Message-ID`).
    public var externalEventId: String?
    /// Who asked: a user id, email address or API key name.
    public var requestedBy: String?
    /// Most the run may spend on model calls, in US dollars; `nil` means the tenant default.
    public var budgetUSD: Double?
    /// A declared workflow to run instead of planning, as `name` or `name@version`.
    public var workflow: String?
    /// Named inputs for the workflow or the planner.
    public var inputs: [String: JSONValue]?
    /// The first run of the conversation this request continues (an email answering a run's
    /// notification): the director records it and shows the planner the thread's earlier requests.
    public var threadRunId: UUID?

    public init(
        request: String,
        source: RunSource,
        sourceReference: SourceReference? = nil,
        externalEventId: String? = nil,
        requestedBy: String? = nil,
        budgetUSD: Double? = nil,
        workflow: String? = nil,
        inputs: [String: JSONValue]? = nil,
        threadRunId: UUID? = nil
    ) {
        self.request = request
        self.source = source
        self.sourceReference = sourceReference
        self.externalEventId = externalEventId
        self.requestedBy = requestedBy
        self.budgetUSD = budgetUSD
        self.workflow = workflow
        self.inputs = inputs
        self.threadRunId = threadRunId
    }
}
