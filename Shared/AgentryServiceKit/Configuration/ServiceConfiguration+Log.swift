import Logging

extension ServiceConfiguration {
    /// Log level and format.
    public struct Log: Sendable, Equatable {
        /// The lowest level written: `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
        /// `AGENTRY_LOG_LEVEL`; default `info`.
        public var level: Logger.Level
        /// One JSON object per line, or human-readable text.
        /// `AGENTRY_LOG_FORMAT`; default `json`.
        public var format: LogFormat

        public init(level: Logger.Level = .info, format: LogFormat = .json) {
            self.level = level
            self.format = format
        }

        init(reader: ConfigurationReader) throws(ConfigurationError) {
            var level = Logger.Level.info
            if let text = try reader.string(ConfigurationKey.logLevel.rawValue) {
                let normalised = text.lowercased() == "warn" ? "warning" : text.lowercased()
                guard let parsed = Logger.Level(rawValue: normalised) else {
                    let accepted = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ConfigurationError(
                        .invalidValue, key: ConfigurationKey.logLevel.rawValue,
                        reason: "\"\(text)\" is not one of \(accepted)"
                    )
                }
                level = parsed
            }
            self.init(level: level, format: try reader.choice(ConfigurationKey.logFormat.rawValue, default: .json))
        }
    }
}
