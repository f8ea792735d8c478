import AgentryContracts
import Foundation

/// Renders runs for people: the timeline of one run, a table of runs, short summaries of outputs.
struct TimelineRenderer: Sendable {
    /// The time zone timestamps are shown in.
    var timeZone: TimeZone = .current

    /// A run's timeline: status, request, times, each step (specialist, tool, status, attempts,
    /// duration, a short output or error), approvals and deliveries.
    func render(_ run: RunTimeline) -> String {
        var lines: [String] = []
        var heading = "run \(run.id)  \(run.status)"
        if let source = run.source { heading += "  source \(source)" }
        if let tenant = run.tenant { heading += "  tenant \(tenant)" }
        lines.append(heading)
        if let request = run.request { lines.append("  request: \(CLITable.truncate(CLITable.oneLine(request), to: 200))") }
        var times: [String] = []
        if let created = run.createdAt { times.append("created \(timestamp(created))") }
        if let finished = run.finishedAt {
            var text = "finished \(timestamp(finished))"
            if let created = run.createdAt { text += " (\(Self.duration(finished.timeIntervalSince(created))) in all)" }
            times.append(text)
        }
        if let cost = run.costUSD, cost > 0 { times.append(String(format: "cost $%.4f", cost)) }
        if !times.isEmpty { lines.append("  " + times.joined(separator: "  ")) }
        if let error = run.error { lines.append("  error: \(CLITable.truncate(CLITable.oneLine(error), to: 300))") }

        if run.steps.isEmpty {
            lines.append(run.isFinished ? "  no steps" : "  no steps yet")
        } else {
            lines.append("")
            var table = CLITable(["STEP", "SPECIALIST", "TOOL", "STATUS", "ATTEMPTS", "TIME", "RESULT"])
            for step in run.steps {
                let elapsed = step.startedAt.flatMap { start in
                    step.finishedAt.map { Self.duration($0.timeIntervalSince(start)) }
                }
                table.append([
                    step.id, step.specialist ?? "-", step.tool ?? "-", step.status,
                    step.attempts.map(String.init) ?? "-", elapsed ?? "-", Self.result(of: step),
                ])
            }
            lines.append(table.render(indent: "  "))
        }
        if !run.approvals.isEmpty {
            lines.append("")
            lines.append("  approvals:")
            for approval in run.approvals {
                var text = "    \(approval.id)  " + (approval.stepId.map { "step \($0)" } ?? (approval.kind ?? "plan"))
                    + "  \(approval.status)"
                if let decidedBy = approval.decidedBy { text += " by \(decidedBy)" }
                if let comment = approval.comment, !comment.isEmpty {
                    text += ": \"\(CLITable.truncate(CLITable.oneLine(comment), to: 80))\""
                }
                lines.append(text)
            }
        }
        if !run.deliveries.isEmpty {
            lines.append("")
            lines.append("  deliveries:")
            for delivery in run.deliveries {
                var text = "    \(delivery.channel)"
                if let target = delivery.target { text += " → \(target)" }
                if let status = delivery.status { text += "  \(status)" }
                switch (delivery.kind, delivery.stepId) {
                case ("notification"?, let stepId?): text += "  (notification, step \(stepId))"
                case ("notification"?, nil): text += "  (notification)"
                case (_, let stepId?): text += "  (step \(stepId))"
                case (let kind?, nil): text += "  (\(kind))"
                case (nil, nil): break
                }
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Runs as a table, newest first as given.
    func render(_ runs: [RunListing]) -> String {
        guard !runs.isEmpty else { return "no runs" }
        var table = CLITable(["RUN", "STATUS", "SOURCE", "TENANT", "CREATED", "REQUEST"])
        for run in runs {
            table.append([
                run.id, run.status, run.source ?? "-", run.tenant ?? "-", run.createdAt.map(timestamp) ?? "-",
                CLITable.truncate(CLITable.oneLine(run.request ?? ""), to: 50),
            ])
        }
        return table.render()
    }

    /// `2026-03-14 09:26:53` in ``timeZone``.
    func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day)) "
            + "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
    }

    /// `850 ms`, `1.5 s`, `2 min 5 s`.
    static func duration(_ seconds: TimeInterval) -> String {
        let value = max(0, seconds)
        if value < 1 { return "\(Int((value * 1000).rounded())) ms" }
        if value < 60 { return String(format: "%.1f s", value) }
        let whole = Int(value.rounded())
        return "\(whole / 60) min \(whole % 60) s"
    }

    /// A short account of what a step produced, or why it failed.
    static func result(of step: TimelineStep) -> String {
        if let error = step.error, step.status != "succeeded" {
            return "error: " + CLITable.truncate(CLITable.oneLine(error), to: 70)
        }
        guard let output = step.output else {
            return step.status == "awaiting_approval" ? "waiting for approval" : ""
        }
        return summary(of: output)
    }

    /// A short account of a tool's output, for the shapes the tools return (docs/cli.md).
    static func summary(of output: JSONValue) -> String {
        if let rows = output["rowCount"]?.intValue {
            let truncated = output["truncated"]?.boolValue == true ? " (truncated)" : ""
            return "\(rows) row\(rows == 1 ? "" : "s")\(truncated)"
        }
        if let status = output["status"]?.stringValue, let channel = output["channel"]?.stringValue {
            let target = output["target"]?.stringValue.map { " → \($0)" } ?? ""
            return "\(channel) \(status)\(target)"
        }
        if let exitCode = output["exitCode"]?.intValue {
            let stdout = (output["stdout"]?.stringValue ?? "").split(whereSeparator: \.isNewline).first.map(String.init)
            return "exit \(exitCode)" + (stdout.map { ": " + CLITable.truncate($0, to: 60) } ?? "")
        }
        if output["url"] != nil || output["title"] != nil {
            let title = output["title"]?.stringValue ?? output["url"]?.stringValue ?? ""
            let text = output["text"]?.stringValue.map { " — " + CLITable.truncate(CLITable.oneLine($0), to: 50) } ?? ""
            return CLITable.truncate(title, to: 40) + text
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(output)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return CLITable.truncate(json, to: 70)
    }
}
