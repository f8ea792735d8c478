/// `run.control`: an operator cancels, pauses or resumes a run.
public struct RunControl: EnvelopePayloadBody, Hashable {
    public static let envelopeType = EnvelopeType.runControl
    public static let version = 1

    /// What to do with the run.
    public enum Action: String, Codable, Sendable, CaseIterable {
        /// Stop the run; steps in flight finish, nothing new starts, the run ends `cancelled`.
        case cancel
        /// Dispatch nothing new until resumed.
        case pause
        /// Continue a paused run.
        case resume
    }

    /// What to do.
    public var action: Action
    /// Why, for the audit log.
    public var reason: String?
    /// Who asked.
    public var requestedBy: String?

    public init(action: Action, reason: String? = nil, requestedBy: String? = nil) {
        self.action = action
        self.reason = reason
        self.requestedBy = requestedBy
    }
}
