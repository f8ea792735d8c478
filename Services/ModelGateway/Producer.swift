import AgentryContracts

/// The step of a plan that fetches or computes something, and how a later step quotes its result.
struct Producer: Sendable {
    /// How a delivered message lays out the result after the title.
    enum Layout: Sendable {
        /// `Title: result`, for one-line results such as a price.
        case inline
        /// `Title:` and the result on the following lines, for tables and page text.
        case block
    }

    /// The step itself.
    var step: PlanStep
    /// A short title for people, also used as an email subject (`Open incidents`).
    var title: String
    /// A reference to the step's output to quote, e.g. `{{steps.incidents.output.text}}`.
    var result: String
    /// How a delivered message lays out the result.
    var layout: Layout

    /// The message a delivery step sends: the title and the referenced result.
    var message: String {
        switch layout {
        case .inline: "\(title): \(result)"
        case .block: "\(title):\n\(result)"
        }
    }

    /// The reference `{{steps.<step id>.output.<path>}}`.
    static func reference(_ stepId: String, _ path: String) -> String {
        "{{steps.\(stepId).output.\(path)}}"
    }
}
