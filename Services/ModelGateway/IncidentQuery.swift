import AgentryContracts

/// A question about the demo data source's `incidents(id, title, severity, status, opened_at)`
/// table, read from the request's words, and the read-only SQL that answers it.
///
/// Every SQL literal comes from the planner, never from the request, so no request text reaches
/// the query.
struct IncidentQuery: Equatable, Sendable {
    /// Which incidents, by status.
    enum Status: Equatable, Sendable {
        /// `status = 'open'`.
        case open
        /// `status IN ('closed', 'resolved')`.
        case closed
    }

    /// What the answer looks like.
    enum Shape: Equatable, Sendable {
        /// One row per incident.
        case list
        /// One number.
        case count
        /// One row per severity with its count.
        case bySeverity
    }

    /// The severities the planner knows, most severe first.
    static let severityRanks = ["critical", "high", "medium", "low"]

    var status: Status?
    /// Severity filter, most severe first; empty means every severity.
    var severities: [String]
    /// Only incidents opened within this many days.
    var windowDays: Int?
    var shape: Shape
    /// The request asks for a report or digest.
    var isReport: Bool

    /// Reads the question from `text`, or `nil` when the request is not about incidents or a report.
    init?(_ text: RequestText) {
        let words = Set(text.tokens.flatMap { $0.lower.split { !$0.isLetter && !$0.isNumber }.map(String.init) })
        let mentionsIncidents = words.contains("incident") || words.contains("incidents")
        isReport = !words.isDisjoint(with: ["report", "reports", "digest", "recap"])
        guard mentionsIncidents || isReport else { return nil }

        let openWords: Set<String> = ["open", "active", "ongoing", "unresolved", "outstanding", "current"]
        let closedWords: Set<String> = ["closed", "resolved", "fixed"]
        switch (!words.isDisjoint(with: openWords), !words.isDisjoint(with: closedWords)) {
        case (true, false): status = .open
        case (false, true): status = .closed
        default: status = nil
        }
        severities = Self.severityRanks.filter { words.contains($0) }
        windowDays = Self.window(in: text, words: words)
        if text.contains(phrase: "how many") || words.contains("count") || text.contains(phrase: "number of") {
            shape = .count
        } else if text.contains(phrase: "by severity") || text.contains(phrase: "per severity") {
            shape = .bySeverity
        } else {
            shape = .list
        }
        if isReport, windowDays == nil, status == nil { windowDays = 7 }
    }

    /// The read-only query.
    var sql: String {
        var conditions: [String] = []
        switch status {
        case .open?: conditions.append("status = 'open'")
        case .closed?: conditions.append("status IN ('closed', 'resolved')")
        case nil: break
        }
        if !severities.isEmpty {
            conditions.append("lower(severity::text) IN (" + severities.map { "'\($0)'" }.joined(separator: ", ") + ")")
        }
        if let windowDays { conditions.append("opened_at >= now() - interval '\(windowDays) days'") }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let rank = "CASE lower(severity::text) "
            + Self.severityRanks.enumerated().map { "WHEN '\($0.element)' THEN \($0.offset)" }.joined(separator: " ")
            + " ELSE \(Self.severityRanks.count) END"
        switch shape {
        case .count:
            return "SELECT count(*) AS incidents FROM incidents\(filter)"
        case .bySeverity:
            return "SELECT severity, count(*) AS incidents FROM incidents\(filter) GROUP BY severity ORDER BY min(\(rank)), severity"
        case .list:
            let order = status == .open ? "\(rank), opened_at DESC" : "opened_at DESC"
            return "SELECT id, title, severity, status, opened_at FROM incidents\(filter) ORDER BY \(order) LIMIT 100"
        }
    }

    /// A short title for people: `Open incidents`, `Weekly incident report`, `Number of critical incidents`.
    var title: String {
        if isReport, shape == .list {
            switch windowDays {
            case 1?: return "Daily incident report"
            case 7?: return "Weekly incident report"
            case 30?: return "Monthly incident report"
            case let days?: return "Incident report for the last \(days) days"
            case nil: return "Incident report"
            }
        }
        var noun = "incidents"
        if let status { noun = (status == .open ? "open " : "closed ") + noun }
        if !severities.isEmpty { noun = Self.list(severities) + " " + noun }
        switch windowDays {
        case 1?: noun += " opened in the last 24 hours"
        case let days?: noun += " opened in the last \(days) days"
        case nil: break
        }
        switch shape {
        case .count: noun = "number of " + noun
        case .bySeverity: noun += " by severity"
        case .list: break
        }
        return noun.prefix(1).uppercased() + noun.dropFirst()
    }

    /// The data step.
    var step: PlanStep {
        PlanStep(
            id: "incidents", specialist: .data, tool: "sql.query", input: ["sql": .string(sql)],
            risk: .low, limits: StepLimits(timeoutSeconds: 60, maxAttempts: 3),
            description: "Query the incidents table: \(title.prefix(1).lowercased() + title.dropFirst())")
    }

    /// The step with its title and a reference to its plain-text table.
    var producer: Producer {
        Producer(step: step, title: title, result: Producer.reference("incidents", "text"), layout: .block)
    }

    private static func window(in text: RequestText, words: Set<String>) -> Int? {
        let tokens = text.words
        for (index, word) in tokens.enumerated() where (word == "last" || word == "past") && index + 2 < tokens.count {
            guard let count = Int(tokens[index + 1]), (1...3_650).contains(count) else { continue }
            switch tokens[index + 2] {
            case "day", "days": return count
            case "week", "weeks": return min(count * 7, 3_650)
            case "month", "months": return min(count * 30, 3_650)
            case "hour", "hours": return max(1, (count + 23) / 24)
            default: continue
            }
        }
        if words.contains("today") || words.contains("daily") || text.contains(phrase: "past day")
            || text.contains(phrase: "last day") || text.contains(phrase: "24 hours")
        {
            return 1
        }
        if words.contains("weekly") || text.contains(phrase: "this week") || text.contains(phrase: "last week")
            || text.contains(phrase: "past week")
        {
            return 7
        }
        if words.contains("monthly") || text.contains(phrase: "this month") || text.contains(phrase: "last month")
            || text.contains(phrase: "past month")
        {
            return 30
        }
        return nil
    }

    private static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}
