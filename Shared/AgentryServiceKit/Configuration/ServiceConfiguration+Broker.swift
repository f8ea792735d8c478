extension ServiceConfiguration {
    /// RabbitMQ settings.
    public struct Broker: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
        /// The broker URL, with credentials and virtual host (`%2F` is the default vhost `/`).
        /// `AGENTRY_AMQP_URL` (or `AGENTRY_AMQP_URL_FILE`); default `amqp://guest:guest@127.0.0.1:5672/%2F`.
        /// Contains a password: log ``redactedURL`` instead.
        public var url: String
        /// Unacknowledged deliveries each consumer may hold at once.
        /// `AGENTRY_PREFETCH`; default `32`; 1...65535.
        public var prefetch: Int

        /// The default broker URL, for a local broker.
        public static let defaultURL = "amqp://guest:guest@127.0.0.1:5672/%2F"

        public init(url: String = Broker.defaultURL, prefetch: Int = 32) {
            self.url = url
            self.prefetch = prefetch
        }

        init(reader: ConfigurationReader) throws(ConfigurationError) {
            self.init(
                url: try reader.url(ConfigurationKey.amqpURL.rawValue, default: Self.defaultURL, schemes: ["amqp", "amqps"]),
                prefetch: try reader.integer(ConfigurationKey.prefetch.rawValue, default: 32, in: 1...65_535)
            )
        }

        /// ``url`` with its password replaced by `***`.
        public var redactedURL: String { Redaction.url(url) }

        public var description: String { "Broker(url: \(redactedURL), prefetch: \(prefetch))" }

        public var customMirror: Mirror { Mirror(self, children: ["url": redactedURL, "prefetch": prefetch]) }
    }
}
