import AgentryContracts
import Foundation

/// What the notifier needs to know about a run: where it came from and what was asked.
struct NotifierRun: Sendable, Hashable {
    var id: UUID
    var tenant: String
    /// `runs.source`: `slack`, `email`, `jira`, `api`, `cli` or `webhook`.
    var source: String
    /// Where to answer (`runs.source_reference`), when the source gave one.
    var sourceReference: SourceReference?
    /// The request text.
    var request: String
    /// The run's status when it was read.
    var status: String
}
