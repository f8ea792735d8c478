/// Replacing a running plan with an edited one (an approval granted with an edited plan).
///
/// Steps that have started (dispatched, or finished) are history: an edited plan must keep each
/// of them exactly (same id, specialist, tool, input and dependencies). Everything that has not
/// started may change, go, or be added. The ingest gateway checks this before it accepts the
/// decision, and the director checks it again when it applies it (a step may have started in
/// between).
extension Plan {
    /// Step statuses (as stored) of a step that has not started; every other status has. In a
    /// running run, `cancelled` is a step an earlier edit dropped: an edit may bring it back.
    public static let unstartedStepStatuses: Set<String> = ["pending", "ready", "awaiting_approval", "approved", "cancelled"]

    /// A step of the running plan that has started, as the edit must keep it.
    public struct StartedStep: Sendable, Equatable {
        public var id: String
        public var specialist: Specialist
        public var tool: String
        public var input: JSONValue
        public var dependsOn: [String]
        /// Its status (`dispatched`, `succeeded`, `failed`, ...), for the explanation.
        public var status: String

        public init(id: String, specialist: Specialist, tool: String, input: JSONValue, dependsOn: [String], status: String) {
            self.id = id
            self.specialist = specialist
            self.tool = tool
            self.input = input
            self.dependsOn = dependsOn
            self.status = status
        }
    }

    /// Why this plan cannot replace a running plan whose `started` steps have begun: one line per
    /// started step it drops or changes; empty when it keeps them all.
    public func conflicts(keeping started: [StartedStep]) -> [String] {
        started.compactMap { done in
            guard let step = step(id: done.id) else {
                return "step '\(done.id)' has already started (\(done.status)) and must stay in the plan"
            }
            var changed: [String] = []
            if step.specialist != done.specialist { changed.append("specialist") }
            if step.tool != done.tool { changed.append("tool") }
            if step.input != done.input { changed.append("input") }
            if step.dependsOn != done.dependsOn { changed.append("dependsOn") }
            guard !changed.isEmpty else { return nil }
            return "step '\(done.id)' has already started (\(done.status)); its \(changed.joined(separator: ", ")) cannot change"
        }
    }
}
