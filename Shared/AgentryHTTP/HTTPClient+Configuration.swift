extension HTTPClient {
    /// Settings of one client, shared by all its transfers.
    public struct Configuration: Sendable {
        /// Connections open at once to one host; 0 (the default) means no limit. Further transfers
        /// wait for a free connection.
        public var maxConnectionsPerHost: Int
        /// Connections open at once in total; 0 (the default) means no limit.
        public var maxConnections: Int
        /// Bytes of a streamed body buffered for a slow consumer before the transfer is paused;
        /// 1 MiB by default.
        public var streamingBufferSize: Int
        /// The `User-Agent` sent when a request has none; `Agentry` by default, `nil` for none.
        public var userAgent: String?

        public init(
            maxConnectionsPerHost: Int = 0,
            maxConnections: Int = 0,
            streamingBufferSize: Int = 1024 * 1024,
            userAgent: String? = "Agentry"
        ) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxConnections = maxConnections
            self.streamingBufferSize = streamingBufferSize
            self.userAgent = userAgent
        }
    }
}
