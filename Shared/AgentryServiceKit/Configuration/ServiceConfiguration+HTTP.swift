extension ServiceConfiguration {
    /// Where the operations server (`/healthz`, `/readyz`, `/metrics`) listens.
    public struct HTTP: Sendable, Equatable {
        /// The address to bind. `AGENTRY_HTTP_HOST`; default `127.0.0.1` (use `0.0.0.0` in a container).
        public var host: String
        /// The port to bind; `0` picks a free port.
        /// `AGENTRY_HTTP_PORT`; default: the service's own port; 0...65535.
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int) {
            self.host = host
            self.port = port
        }

        init(reader: ConfigurationReader, defaultPort: Int) throws(ConfigurationError) {
            self.init(
                host: try reader.string(ConfigurationKey.httpHost.rawValue, default: "127.0.0.1"),
                port: try reader.integer(ConfigurationKey.httpPort.rawValue, default: defaultPort, in: 0...65_535)
            )
        }
    }
}
