import Logging
import Synchronization

/// Sets up logging for a service process.
public enum AgentryLogging {
    private static let bootstrapped = Mutex(false)

    /// Installs ``AgentryLogHandler`` as the process's log backend, with the configured level and
    /// format, and returns the service's logger (labelled with its name).
    ///
    /// Call it once, from `@main`, before anything logs; libraries take a `logger:` instead. Later
    /// calls do not re-install the backend and only return a logger.
    ///
    /// ```swift
    /// let configuration = try ServiceConfiguration(serviceName: "director", defaultHTTPPort: 8081)
    /// let logger = AgentryLogging.bootstrap(configuration: configuration)
    /// ```
    ///
    /// - Parameters:
    ///   - configuration: Supplies the service name, level and format.
    ///   - output: Where lines go; standard output by default.
    ///   - metadataProvider: Contextual metadata (e.g. task-local trace ids) for every event.
    @discardableResult
    public static func bootstrap(
        configuration: ServiceConfiguration,
        output: LogOutput = .standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Logger {
        let settings = configuration.log
        let install = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if install {
            LoggingSystem.bootstrap(
                { label, provider in
                    AgentryLogHandler(
                        label: label, format: settings.format, level: settings.level,
                        output: output, metadataProvider: provider
                    )
                },
                metadataProvider: metadataProvider
            )
        }
        var logger = Logger(label: configuration.serviceName)
        logger.logLevel = settings.level
        return logger
    }
}
