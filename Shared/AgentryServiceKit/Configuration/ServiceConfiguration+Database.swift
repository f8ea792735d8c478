extension ServiceConfiguration {
    /// PostgreSQL settings.
    public struct Database: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
        /// The database URL, as libpq accepts it.
        /// `AGENTRY_DATABASE_URL` (or `AGENTRY_DATABASE_URL_FILE`); default
        /// `postgres://agentry:agentry@127.0.0.1:5432/agentry`. Contains a password: log ``redactedURL`` instead.
        public var url: String
        /// Most connections the service opens.
        /// `AGENTRY_DB_POOL_SIZE`; default `10`; 1...1000.
        public var poolSize: Int

        /// The default database URL, for a local database.
        public static let defaultURL = "postgres://agentry:agentry@127.0.0.1:5432/agentry"

        public init(url: String = Database.defaultURL, poolSize: Int = 10) {
            self.url = url
            self.poolSize = poolSize
        }

        init(reader: ConfigurationReader) throws(ConfigurationError) {
            self.init(
                url: try reader.url(
                    ConfigurationKey.databaseURL.rawValue, default: Self.defaultURL, schemes: ["postgres", "postgresql"]
                ),
                poolSize: try reader.integer(ConfigurationKey.databasePoolSize.rawValue, default: 10, in: 1...1000)
            )
        }

        /// ``url`` with its password replaced by `***`.
        public var redactedURL: String { Redaction.url(url) }

        public var description: String { "Database(url: \(redactedURL), poolSize: \(poolSize))" }

        public var customMirror: Mirror { Mirror(self, children: ["url": redactedURL, "poolSize": poolSize]) }
    }
}
