import AgentryContracts

/// A step of a run, as stored in `steps`.
struct NotifierStep: Sendable, Hashable {
    var id: String
    var specialist: String
    var tool: String
    var description: String?
    var input: JSONValue?
    /// The last error, for a failed step.
    var error: String?
}
