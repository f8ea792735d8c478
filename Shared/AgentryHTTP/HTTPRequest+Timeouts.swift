extension HTTPRequest {
    /// Time limits of one transfer; `nil` means no limit of that kind.
    public struct Timeouts: Sendable, Hashable {
        /// How long establishing the connection (including TLS) may take; 10 s by default.
        public var connect: Duration?
        /// How long the whole transfer may take, body included; none by default, so long streams
        /// are bounded by the caller.
        public var total: Duration?

        public init(connect: Duration? = .seconds(10), total: Duration? = nil) {
            self.connect = connect
            self.total = total
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a positive duration never becomes "no limit".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(1, milliseconds))
    }
}
