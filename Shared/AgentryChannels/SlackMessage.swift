import AgentryContracts

/// A message for Slack's `chat.postMessage`.
///
/// ```swift
/// let reply = SlackMessage(channel: "C0123456789", text: "Done: 3 incidents posted",
///                          threadTs: "1718000000.000100")
/// ```
public struct SlackMessage: Sendable, Hashable {
    /// Slack allows 40,000 characters of `text`; longer texts are cut to this many.
    public static let maxTextLength = 39_000

    /// A channel id (`C0123456789`) or name (`#ops`).
    public var channel: String
    /// The text: the whole message, or the notification fallback when ``blocks`` are given.
    /// Slack `mrkdwn`: escape `&`, `<` and `>` with ``SlackText/escape(_:)``.
    public var text: String
    /// The `ts` of the thread's parent message, to reply in its thread.
    public var threadTs: String?
    /// Block Kit blocks (an array), if any.
    public var blocks: JSONValue?

    public init(channel: String, text: String, threadTs: String? = nil, blocks: JSONValue? = nil) {
        self.channel = channel
        self.text = text
        self.threadTs = threadTs
        self.blocks = blocks
    }

    /// The `chat.postMessage` request body.
    public var requestBody: JSONValue {
        var body: [String: JSONValue] = [
            "channel": .string(channel),
            "text": .string(TextLimit.truncate(text, to: Self.maxTextLength)),
            "unfurl_links": false,
            "unfurl_media": false,
        ]
        if let threadTs { body["thread_ts"] = .string(threadTs) }
        if let blocks, blocks != .null { body["blocks"] = blocks }
        return .object(body)
    }
}
