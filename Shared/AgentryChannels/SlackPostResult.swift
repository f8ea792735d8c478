/// What a successful `chat.postMessage` returned: where the message landed and its `ts`.
public struct SlackPostResult: Sendable, Hashable {
    /// The channel id the message was posted to.
    public var channel: String
    /// The message's timestamp, its id within the channel (and the `thread_ts` of replies to it).
    public var ts: String

    public init(channel: String, ts: String) {
        self.channel = channel
        self.ts = ts
    }
}
