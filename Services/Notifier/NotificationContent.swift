import Foundation

/// A notification's content, independent of the channel that carries it; the formatters turn it
/// into Slack `mrkdwn`, a plain-text email or Jira wiki markup. All texts here are plain: each
/// formatter escapes them for its channel.
struct NotificationContent: Sendable, Hashable {
    /// What the notification is about.
    enum Kind: String, Sendable, Hashable {
        case completed
        case cancelled
        case failed
        case approval
    }

    /// One labelled part of the body.
    struct Section: Sendable, Hashable {
        /// A short label such as `Request`, or `nil` for a paragraph.
        var label: String?
        /// The text.
        var text: String
        /// Whether the text is output, code or data, shown as a block in a fixed-width font.
        var preformatted: Bool

        init(_ label: String?, _ text: String, preformatted: Bool = false) {
            self.label = label
            self.text = text
            self.preformatted = preformatted
        }
    }

    var kind: Kind
    /// The first line: what happened, e.g. `Done: posted 3 incidents to #ops`.
    var headline: String
    /// A short subject line for an email or a capture listing.
    var subject: String
    var sections: [Section]
    /// The approval to decide, for ``Kind/approval``: Slack messages get buttons for it.
    var approvalId: UUID?
    /// The last line: the run's id and how to see its timeline.
    var footer: String
}
