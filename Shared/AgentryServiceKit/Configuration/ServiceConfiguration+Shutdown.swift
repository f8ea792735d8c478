extension ServiceConfiguration {
    /// Graceful shutdown settings.
    public struct Shutdown: Sendable, Equatable {
        /// How long services may take to stop consuming and finish in-flight work after SIGTERM or
        /// SIGINT before they are cancelled. Keep it below the orchestrator's own grace period
        /// (Kubernetes: 30 s). `AGENTRY_SHUTDOWN_GRACE_SECONDS`; default `25`; 0...3600.
        public var gracePeriod: Duration

        public init(gracePeriod: Duration = .seconds(25)) {
            self.gracePeriod = gracePeriod
        }

        init(reader: ConfigurationReader) throws(ConfigurationError) {
            let seconds = try reader.integer(ConfigurationKey.shutdownGraceSeconds.rawValue, default: 25, in: 0...3600)
            self.init(gracePeriod: .seconds(seconds))
        }
    }
}
