/// Why the offline planner could not turn a request into a plan. The message is for the person
/// who asked; the model gateway returns it as a `ModelError` with code `invalidRequest`.
struct PlannerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is.
    enum Code: String, Sendable, Equatable {
        /// The conversation has no user message with text in it.
        case noRequest = "no_request"
        /// The request is longer than the planner reads.
        case requestTooLong = "request_too_long"
        /// The request matches nothing in the planner's grammar, and there is no source to reply to.
        case notUnderstood = "not_understood"
        /// The request asks for something the workers cannot do (a language, a writing query).
        case unsupported = "unsupported"
        /// The planner built a plan that fails validation (a bug; never expected).
        case invalidPlan = "invalid_plan"
    }

    /// What kind of problem it is.
    let code: Code
    /// What went wrong, for the person who asked.
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "offline planner \(code.rawValue): \(message)" }
}
