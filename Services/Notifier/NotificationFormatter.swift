import AgentryChannels
import AgentryContracts
import Foundation

/// Turns a ``NotificationContent`` into each channel's text.
enum NotificationFormatter {
    /// Slack's limit on one section block's text.
    static let slackSectionLimit = 3_000

    // MARK: Slack

    /// The message as Slack `mrkdwn`: the bold headline, labelled sections (output in code blocks)
    /// and the footer in italics. Every text from the run is escaped.
    static func slackText(_ content: NotificationContent) -> String {
        let lines = [bold(SlackText.escape(content.headline))] + content.sections.map(slackSection)
            + ["_\(SlackText.escape(content.footer))_"]
        return lines.joined(separator: "\n")
    }

    /// Block Kit blocks: a section per part, the footer as context, and for an approval the
    /// Approve / Reject buttons whose values carry the approval id.
    static func slackBlocks(_ content: NotificationContent) -> JSONValue {
        var blocks: [JSONValue] = [mrkdwnSection(bold(SlackText.escape(content.headline)))]
        blocks += content.sections.map { mrkdwnSection(slackSection($0)) }
        if let approvalId = content.approvalId {
            let id = approvalId.uuidString.lowercased()
            blocks.append([
                "type": "actions",
                "block_id": .string("agentry_approval:\(id)"),
                "elements": [
                    button("Approve", actionId: "agentry_approve", value: id, style: "primary"),
                    button("Reject", actionId: "agentry_reject", value: id, style: "danger"),
                ],
            ])
        }
        blocks.append([
            "type": "context",
            "elements": [
                ["type": "mrkdwn", "text": .string(TextLimit.truncate(SlackText.escape(content.footer), to: 2_000))],
            ],
        ])
        return .array(blocks)
    }

    private static func slackSection(_ section: NotificationContent.Section) -> String {
        let text = SlackText.escape(section.text)
        let body = section.preformatted ? "```\(text.replacingOccurrences(of: "```", with: "'''"))```" : text
        guard let label = section.label else { return body }
        let separator = section.preformatted || section.text.contains("\n") ? "\n" : " "
        return "*\(SlackText.escape(label)):*" + separator + body
    }

    private static func mrkdwnSection(_ text: String) -> JSONValue {
        ["type": "section", "text": ["type": "mrkdwn", "text": .string(TextLimit.truncate(text, to: slackSectionLimit))]]
    }

    private static func button(_ title: String, actionId: String, value: String, style: String) -> JSONValue {
        [
            "type": "button",
            "action_id": .string(actionId),
            "text": ["type": "plain_text", "text": .string(title)],
            "value": .string(value),
            "style": .string(style),
        ]
    }

    private static func bold(_ text: String) -> String {
        "*\(text.replacingOccurrences(of: "*", with: "∗"))*"
    }

    // MARK: Plain text (email, capture)

    /// The message as plain text: the headline, labelled sections and the footer after a `-- ` line.
    static func plainText(_ content: NotificationContent) -> String {
        var parts = [content.headline]
        for section in content.sections {
            let multiline = section.preformatted || section.text.contains("\n")
            if let label = section.label {
                parts.append(multiline ? "\(label):\n\(section.text)" : "\(label): \(section.text)")
            } else {
                parts.append(section.text)
            }
        }
        parts.append("-- \n\(content.footer)")
        return parts.joined(separator: "\n\n")
    }

    // MARK: Jira

    /// The message as Jira wiki markup: output in `{noformat}` blocks, other text escaped.
    static func jiraText(_ content: NotificationContent) -> String {
        var lines = ["*\(jiraEscape(content.headline))*"]
        for section in content.sections {
            let body: String
            if section.preformatted {
                body = "{noformat}\n\(section.text.replacingOccurrences(of: "{noformat}", with: "{ noformat}"))\n{noformat}"
            } else {
                body = section.text.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { jiraEscape(String($0)) }.joined(separator: "\n")
            }
            guard let label = section.label else {
                lines.append(body)
                continue
            }
            let separator = section.preformatted || section.text.contains("\n") ? "\n" : " "
            lines.append("*\(jiraEscape(label)):*" + separator + body)
        }
        lines.append("----\n_\(jiraEscape(content.footer))_")
        return lines.joined(separator: "\n\n")
    }

    /// `text` with Jira wiki markup characters escaped, so a run's text shows as written.
    static func jiraEscape(_ text: String) -> String {
        var escaped = ""
        for (index, character) in text.enumerated() {
            switch character {
            case "\\", "{", "}", "[", "]", "|", "!", "*", "_", "^", "~", "+":
                escaped.append("\\")
                escaped.append(character)
            case "-" where index == 0, "#" where index == 0:
                escaped.append("\\")
                escaped.append(character)
            default:
                escaped.append(character)
            }
        }
        return escaped
    }
}
