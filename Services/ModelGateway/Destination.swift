import AgentryContracts

/// Where a plan delivers its result or message, and the communication step that does it.
enum Destination: Hashable, Sendable {
    /// A Slack channel (`#name` or a channel id), optionally as a reply in a thread.
    case slack(channel: String, threadTs: String?)
    /// An email address; `subject` overrides the subject the planner would choose.
    case email(to: String, subject: String?)
    /// A comment on a Jira issue.
    case jira(issue: String)

    /// The base of the step id: `post`, `email` or `comment`.
    var stepIdBase: String {
        switch self {
        case .slack: "post"
        case .email: "email"
        case .jira: "comment"
        }
    }

    /// A communication step delivering `body` here.
    ///
    /// Email is high risk (it leaves the organisation and cannot be taken back), so it waits for
    /// approval; Slack posts and Jira comments are low risk.
    func step(id: String, subject: String, body: String, dependsOn: [String]) -> PlanStep {
        let limits = StepLimits(timeoutSeconds: 60, maxAttempts: 3)
        switch self {
        case .slack(let channel, let threadTs):
            var input: [String: JSONValue] = ["channel": .string(channel), "text": .string(body)]
            if let threadTs { input["threadTs"] = .string(threadTs) }
            return PlanStep(
                id: id, specialist: .comm, tool: "slack.post", input: .object(input), dependsOn: dependsOn,
                risk: .low, limits: limits, description: "Post to Slack \(Self.describe(channel: channel))")
        case .email(let address, let subjectOverride):
            return PlanStep(
                id: id, specialist: .comm, tool: "email.send",
                input: ["to": .string(address), "subject": .string(subjectOverride ?? subject), "body": .string(body)],
                dependsOn: dependsOn, risk: .high, limits: limits,
                description: "Email \(address) (waits for approval)")
        case .jira(let issue):
            return PlanStep(
                id: id, specialist: .comm, tool: "jira.comment",
                input: ["issue": .string(issue), "body": .string(body)], dependsOn: dependsOn, risk: .low,
                limits: limits, description: "Comment on Jira issue \(issue)")
        }
    }

    private static func describe(channel: String) -> String {
        channel.hasPrefix("#") ? channel : "channel \(channel)"
    }
}

extension [Destination] {
    /// One communication step per destination, with unique ids (`post`, `post-2`, `email`, ...).
    func steps(subject: String, body: String, dependsOn: [String]) -> [PlanStep] {
        var used: [String: Int] = [:]
        return map { destination in
            let base = destination.stepIdBase
            let count = used[base, default: 0] + 1
            used[base] = count
            let id = count == 1 ? base : "\(base)-\(count)"
            return destination.step(id: id, subject: subject, body: body, dependsOn: dependsOn)
        }
    }
}
