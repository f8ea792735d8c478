import Foundation

/// Where the CLI writes progress (standard error), so that standard output holds only results.
enum Console {
    /// Writes `message` and a newline to standard error.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A line about a followed run's progress.
    static func describe(_ event: RunFollower.Event, runId: String) -> String {
        switch event {
        case .status(let status):
            return "run \(runId): \(status.replacingOccurrences(of: "_", with: " "))"
        case .approvalPending(let approval, let step):
            var what = approval.stepId.map { "step \($0)" } ?? "the plan"
            if let tool = step?.tool { what += " (\(tool))" }
            return "run \(runId): \(what) waits for approval \(approval.id): agentry approve \(approval.id)"
        }
    }
}
