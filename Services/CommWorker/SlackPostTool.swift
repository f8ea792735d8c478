import Foundation
import AgentryChannels
import AgentryContracts
import AgentryRuntime

/// `slack.post` {channel, text, threadTs?}: posts a message to a Slack channel, in a thread when
/// `threadTs` is given.
struct SlackPostTool: WorkerTool {
    let name = "slack.post"
    let deliverer: any MessageDeliverer

    func run(_ request: ToolRequest) async throws -> JSONValue {
        try await CommWorker.deliver(.slack(try Self.message(from: request)), for: request, deliverer: deliverer)
    }

    /// The message the step's input describes, or an `invalid_input` failure.
    static func message(from request: ToolRequest) throws -> SlackMessage {
        let channel = try request.string("channel").trimmingCharacters(in: .whitespaces)
        guard channel.count <= 80, !channel.isEmpty,
              !channel.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 })
        else {
            throw CommWorker.invalidInput("input.channel must be a Slack channel id or name such as C0123456789 or #ops")
        }
        let text = try request.string("text")
        let threadTs = try request.optionalString("threadTs").flatMap { $0.isEmpty ? nil : $0 }
        if let threadTs, !isTimestamp(threadTs) {
            throw CommWorker.invalidInput("input.threadTs must be a Slack message timestamp such as 1718000000.000100")
        }
        return SlackMessage(channel: channel, text: text, threadTs: threadTs)
    }

    /// Whether `value` looks like a Slack `ts`: digits, a dot, digits.
    static func isTimestamp(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    /// `0`...`9`.
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
