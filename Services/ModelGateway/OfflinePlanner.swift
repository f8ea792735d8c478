import AgentryContracts
import Foundation

/// The model gateway's built-in planner: turns common requests into valid ``Plan``s over the four
/// specialists, offline.
///
/// It is deterministic (the same request and context always give the same plan), makes no
/// network call and uses no model: it reads the request with a small fixed grammar, documented in
/// `docs/configuration.md` ("Model gateway"). Requests it does not understand get a help reply to
/// the source when the caller says where that is (``PlanningContext``), and otherwise a
/// ``PlannerError`` that explains what it understands.
///
/// ```swift
/// let plan = try OfflinePlanner().plan(request: "summarise the open incidents and post them to #ops")
/// // incidents: data sql.query → post: comm slack.post {"channel": "#ops", "text": "Open incidents:\n{{steps.incidents.output.text}}"}
/// ```
struct OfflinePlanner: Sendable {
    /// The routing entry named in replies.
    static let entry = "offline/planner"
    /// How a caller's re-ask after a rejected plan begins (lowercased).
    static let reaskPrefix = "the previous plan was rejected"
    /// The longest request read, in characters.
    static let maximumRequestLength = 20_000

    init() {}

    /// Plans the request in the last user message of `messages` (other than a context message),
    /// using the ``PlanningContext`` the messages carry, if any.
    ///
    /// A re-ask after a rejected plan ("The previous plan was rejected: …") is not a request: the
    /// planner is deterministic, so it plans the original request again. When the last user message
    /// is not understood, its paragraphs are tried in order (``paragraphs(of:)``), then earlier user
    /// messages, latest first; if none is understood either, the answer is the one for the last
    /// message (a help reply or an error).
    func plan(for messages: [ChatMessage]) throws(PlannerError) -> Plan {
        let requests = messages.filter { message in
            let text = message.content.trimmingWhitespace()
            return message.role == .user && message.name != PlanningContext.messageName && !text.isEmpty
                && !text.lowercased().hasPrefix(Self.reaskPrefix)
        }
        guard let last = requests.last else {
            throw PlannerError(.noRequest, "the conversation has no user message with a request in it")
        }
        let context = PlanningContext.find(in: messages)
        if !understands(last.content) {
            if let paragraph = Self.paragraphs(of: last.content).first(where: understands) {
                return try plan(request: paragraph, context: context)
            }
            for earlier in requests.dropLast().reversed() where understands(earlier.content) {
                return try plan(request: earlier.content, context: context)
            }
        }
        return try plan(request: last.content, context: context)
    }

    /// The paragraphs of a message that has several (separated by blank lines), in order; empty
    /// for a one-paragraph message. An email's request is its subject, then its body with a
    /// greeting and a signature around the sentence that asks: the planner reads the first
    /// paragraph it understands.
    static func paragraphs(of text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        return paragraphs.count > 1 ? paragraphs : []
    }

    /// False when `request`, without a context to reply to, matches nothing in the grammar.
    private func understands(_ request: String) -> Bool {
        do {
            _ = try plan(request: request, context: nil)
            return true
        } catch {
            return error.code != .notUnderstood
        }
    }

    /// Plans `request`; `context` says where the request came from, for replies to the source.
    func plan(request: String, context: PlanningContext? = nil) throws(PlannerError) -> Plan {
        let trimmed = request.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw PlannerError(.noRequest, "the request is empty") }
        guard trimmed.count <= Self.maximumRequestLength else {
            throw PlannerError(
                .requestTooLong,
                "the request has \(trimmed.count) characters; the offline planner reads at most \(Self.maximumRequestLength)")
        }
        let text = Self.withoutCourtesies(RequestText(trimmed))
        let plan = Plan(steps: try steps(for: text, context: context, original: trimmed))
        for step in plan.steps {
            for reference in Self.references(in: step.input) where !step.dependsOn.contains(reference) {
                throw PlannerError(
                    .unsupported,
                    "the request contains “{{steps.\(reference)…}}”, which plans use to refer to the output of an "
                        + "earlier step, and this plan has no step \"\(reference)\" before it; write it without {{ }}")
            }
        }
        let problems = plan.validate()
        guard problems.isEmpty else {
            throw PlannerError(.invalidPlan, problems.map(\.description).joined(separator: "; "))
        }
        return plan
    }

    /// Tries each form of the grammar in order; the first that matches makes the plan.
    private func steps(for text: RequestText, context: PlanningContext?, original: String) throws(PlannerError) -> [PlanStep] {
        if let steps = try codeSteps(text, context: context) { return steps }
        if let producer = try queryProducer(text) { return [producer.step] }
        if let message = explicitMessage(text, context: context) { return message.steps }
        if let producer = producer(for: text) {
            return Self.steps(producer, deliveringTo: destinations(in: text, context: context))
        }
        if let message = looseMessage(text, context: context) { return message.steps }
        return try fallbackSteps(original, context: context)
    }

    /// The producer's step followed by one delivery step per destination.
    static func steps(_ producer: Producer, deliveringTo destinations: [Destination]) -> [PlanStep] {
        [producer.step]
            + destinations.steps(subject: producer.title, body: producer.message, dependsOn: [producer.step.id])
    }

    /// A reply to the source explaining what the planner understands, or, when the source cannot
    /// be replied to by a low-risk step, an error carrying the same explanation.
    private func fallbackSteps(_ request: String, context: PlanningContext?) throws(PlannerError) -> [PlanStep] {
        let help = Self.help(for: request)
        switch context?.replyDestination {
        case let destination? where destination.stepIdBase != "email":
            return [destination].steps(subject: "Agentry could not plan your request", body: help, dependsOn: [])
        default:
            throw PlannerError(.notUnderstood, help)
        }
    }

    /// The step ids referenced as `{{steps.<id>.…}}` (spaces after `{{` allowed) in the strings of `value`.
    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text):
            var found: [String] = []
            var rest = Substring(text)
            while let open = rest.range(of: "{{") {
                rest = rest[open.upperBound...].drop { $0.isWhitespace }
                guard rest.hasPrefix("steps.") else { continue }
                let id = rest.dropFirst("steps.".count).prefix { $0 != "." && $0 != "}" && !$0.isWhitespace }
                found.append(String(id))
            }
            return found
        case .array(let values): return values.flatMap(references)
        case .object(let members): return members.keys.sorted().flatMap { references(in: members[$0]!) }
        default: return []
        }
    }

    /// What the planner understands, quoting the start of `request` (with `{{` broken up, so the
    /// quotation is never read as a reference to a step's output).
    static func help(for request: String) -> String {
        let quoted = request.replacingOccurrences(of: "{{", with: "{ {")
        let excerpt = quoted.count > 120 ? quoted.prefix(117) + "..." : Substring(quoted)
        return """
            The offline planner could not turn “\(excerpt)” into a plan. It understands requests such as:
            • summarise the open incidents and post them to #ops
            • email the weekly report to someone@example.com
            • check the price on https://shop.example.com/item
            • open https://example.com
            • query: SELECT count(*) FROM incidents
            • run this script: echo hello
            • post Deploy finished to #ops
            • comment on OPS-123: Fixed in the latest release
            """
    }

    /// Words and pairs that open a request without meaning anything (`please`, `can you`, `@agentry`).
    private static let courtesies: Set<String> = ["please", "pls", "plz", "kindly", "hey", "hi", "hello", "agentry", "ok", "okay"]
    private static let askingPairs: Set<String> = ["can", "could", "would", "will"]

    /// `text` without leading courtesies, when something remains after them.
    static func withoutCourtesies(_ text: RequestText) -> RequestText {
        var index = 0
        let tokens = text.tokens
        while index < tokens.count {
            let token = tokens[index]
            if courtesies.contains(token.lower) || token.raw.hasPrefix("<@") || token.raw.hasPrefix("@") {
                index += 1
            } else if askingPairs.contains(token.lower), index + 1 < tokens.count,
                      tokens[index + 1].lower == "you" || tokens[index + 1].lower == "u"
            {
                index += 2
            } else {
                break
            }
        }
        guard index > 0, index < tokens.count else { return text }
        return RequestText(String(text.text[tokens[index].range.lowerBound...]))
    }
}
