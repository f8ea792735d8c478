import AgentryChannels
import AgentryContracts
import Foundation

/// Writes what a notification says: for a completed run its summary and outputs, for a failed run
/// the reason and the failed step, for an approval what would run, its risk and how to decide.
enum NotificationComposer {
    /// Most characters of one output or input shown.
    static let outputLimit = 2_500
    /// Most outputs shown; the rest are counted.
    static let maxOutputs = 6
    /// Most characters of the request quoted.
    static let requestLimit = 600

    static func compose(_ fact: NotifierFact, run: NotifierRun, step: NotifierStep?) -> NotificationContent {
        switch fact {
        case .completed(let completed): return self.completed(completed, run: run)
        case .failed(let failed): return self.failed(failed, run: run, step: step)
        case .approvalRequested(let requested): return approval(requested, run: run, step: step)
        }
    }

    private static func completed(_ completed: RunCompleted, run: NotifierRun) -> NotificationContent {
        let summary = oneLine(completed.summary)
        let cancelled = completed.status == .cancelled
        let headline = cancelled
            ? "Cancelled: \(summary.isEmpty ? "an operator stopped the run" : summary)"
            : "Done: \(summary.isEmpty ? "every step succeeded" : summary)"
        var sections = [requestSection(run)]
        let names = completed.outputs.keys.sorted()
        for name in names.prefix(maxOutputs) {
            let (text, preformatted) = OutputRendering.render(completed.outputs[name] ?? .null, limit: outputLimit)
            sections.append(.init(name, text, preformatted: preformatted))
        }
        if names.count > maxOutputs {
            sections.append(.init(nil, "… and \(names.count - maxOutputs) more outputs: see agentry run \(runId(run))."))
        }
        var usage: [String] = []
        let tokens = completed.promptTokens + completed.completionTokens
        if tokens > 0 { usage.append("\(tokens) tokens") }
        if completed.costUSD > 0 { usage.append(String(format: "$%.4f", completed.costUSD)) }
        return NotificationContent(
            kind: cancelled ? .cancelled : .completed, headline: headline,
            subject: "\(cancelled ? "Cancelled" : "Done"): \(subjectText(summary, fallback: run.request))",
            sections: sections, approvalId: nil, footer: footer(run, extra: usage))
    }

    private static func failed(_ failed: RunFailed, run: NotifierRun, step: NotifierStep?) -> NotificationContent {
        let headline = failed.failedStepId.map { "Failed at step \($0): \(oneLine(failed.reason))" }
            ?? "Failed: \(oneLine(failed.reason))"
        var sections = [NotificationContent.Section("Reason", failed.reason)]
        if let stepId = failed.failedStepId {
            var text = stepId
            if let step { text += " (\(step.tool))" }
            if let description = step?.description, !description.isEmpty { text += ": \(description)" }
            sections.append(.init("Failed step", text))
            if let error = step?.error, !error.isEmpty, error != failed.reason {
                sections.append(.init("Step error", TextLimit.truncate(error, to: outputLimit), preformatted: true))
            }
        }
        sections.append(requestSection(run))
        return NotificationContent(
            kind: .failed, headline: headline, subject: "Failed: \(subjectText(failed.reason, fallback: run.request))",
            sections: sections, approvalId: nil, footer: footer(run, extra: failed.code.map { ["code \($0)"] } ?? []))
    }

    private static func approval(_ requested: ApprovalRequested, run: NotifierRun, step: NotifierStep?)
        -> NotificationContent
    {
        let summary = oneLine(requested.summary)
        var sections: [NotificationContent.Section] = []
        switch requested.kind {
        case .step:
            var text = requested.stepId ?? "a step"
            if let step { text += " (\(step.tool) on the \(step.specialist) worker)" }
            text += ", risk \(requested.risk.rawValue)"
            if let description = step?.description, !description.isEmpty { text += "\n\(description)" }
            sections.append(.init("Step", text))
            if let input = step?.input, input != .object([:]) {
                let (rendered, _) = OutputRendering.render(input, limit: outputLimit)
                sections.append(.init("Input", rendered, preformatted: true))
            }
        case .plan:
            let steps = requested.plan?.steps ?? []
            var text = "the whole plan (\(steps.count) steps), risk \(requested.risk.rawValue)"
            for (index, planStep) in steps.enumerated() {
                text += "\n\(index + 1). \(planStep.id): \(planStep.tool)"
                if let description = planStep.description, !description.isEmpty { text += " — \(description)" }
            }
            sections.append(.init("Plan", TextLimit.truncate(text, to: outputLimit)))
        }
        sections.append(requestSection(run))
        let id = requested.approvalId.uuidString.lowercased()
        var decide = "Approve: agentry approve \(id)\nReject: agentry reject \(id)\n"
            + "Or through the API: POST /v1/approvals/\(id) with "
            + "{\"decision\": \"approved\" or \"rejected\", \"decidedBy\": \"<your name>\"}"
        if !requested.approverRoles.isEmpty {
            decide += "\nWho may decide: \(requested.approverRoles.joined(separator: ", "))"
        }
        if let deadline = requested.deadline {
            decide += "\nDecide before \(RFC3339.string(from: deadline)), or the run fails."
        }
        sections.append(.init("To decide", decide, preformatted: false))
        return NotificationContent(
            kind: .approval, headline: "Approval needed: \(summary.isEmpty ? "a risky step waits" : summary)",
            subject: "Approval needed: \(subjectText(summary, fallback: run.request))", sections: sections,
            approvalId: requested.approvalId, footer: footer(run, extra: ["approval \(id)"]))
    }

    private static func requestSection(_ run: NotifierRun) -> NotificationContent.Section {
        .init("Request", TextLimit.truncate(run.request, to: requestLimit))
    }

    private static func footer(_ run: NotifierRun, extra: [String]) -> String {
        (["Run \(runId(run))"] + extra + ["timeline: agentry run \(runId(run))"]).joined(separator: " · ")
    }

    private static func runId(_ run: NotifierRun) -> String { run.id.uuidString.lowercased() }

    /// The first line of `text`, at most 200 characters.
    static func oneLine(_ text: String) -> String {
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return TextLimit.truncate(first.trimmingCharacters(in: .whitespaces), to: 200)
    }

    private static func subjectText(_ text: String, fallback: String) -> String {
        let line = oneLine(text)
        return TextLimit.truncate(line.isEmpty ? oneLine(fallback) : line, to: 120)
    }
}
