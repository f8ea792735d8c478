import Foundation

/// Everything a service needs from its environment, read once at start-up by `@main`.
///
/// ```swift
/// let configuration = try ServiceConfiguration(serviceName: "director", defaultHTTPPort: 8081)
/// let logger = AgentryLogging.bootstrap(configuration: configuration)
/// logger.info("starting", metadata: ["configuration": "\(configuration)"])  // passwords redacted
/// ```
///
/// Every variable is listed in `docs/configuration.md`; each may be given as `<NAME>_FILE` instead.
public struct ServiceConfiguration: Sendable, Equatable {
    /// The service's name, used as the log label and in metrics.
    /// `AGENTRY_SERVICE_NAME`; default: the name the service passes in (e.g. `director`).
    public var serviceName: String
    /// RabbitMQ settings.
    public var broker: Broker
    /// PostgreSQL settings.
    public var database: Database
    /// The operations HTTP server (`/healthz`, `/readyz`, `/metrics`).
    public var http: HTTP
    /// Log level and format.
    public var log: Log
    /// Graceful shutdown.
    public var shutdown: Shutdown

    /// Creates a configuration from explicit values (tests, tools).
    public init(
        serviceName: String,
        broker: Broker = Broker(),
        database: Database = Database(),
        http: HTTP,
        log: Log = Log(),
        shutdown: Shutdown = Shutdown()
    ) {
        self.serviceName = serviceName
        self.broker = broker
        self.database = database
        self.http = http
        self.log = log
        self.shutdown = shutdown
    }

    /// Reads the configuration from environment variables (and `<NAME>_FILE` files).
    ///
    /// - Parameters:
    ///   - serviceName: The default for `AGENTRY_SERVICE_NAME`.
    ///   - defaultHTTPPort: The default for `AGENTRY_HTTP_PORT`; each service has its own.
    ///   - environment: The variables to read; the process environment by default.
    /// - Throws: ``ConfigurationError`` naming the first variable that is invalid or unreadable.
    public init(
        serviceName: String,
        defaultHTTPPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) {
        let reader = ConfigurationReader(environment: environment)
        self.init(
            serviceName: try reader.string(ConfigurationKey.serviceName.rawValue, default: serviceName),
            broker: try Broker(reader: reader),
            database: try Database(reader: reader),
            http: try HTTP(reader: reader, defaultPort: defaultHTTPPort),
            log: try Log(reader: reader),
            shutdown: try Shutdown(reader: reader)
        )
    }
}

extension ServiceConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A one-line summary safe to log: URL passwords are replaced by `***`.
    public var description: String {
        "service=\(serviceName) amqp=\(broker.redactedURL) prefetch=\(broker.prefetch) "
            + "database=\(database.redactedURL) dbPool=\(database.poolSize) http=\(http.host):\(http.port) "
            + "log=\(log.level)/\(log.format.rawValue) shutdownGrace=\(shutdown.gracePeriod)"
    }

    public var debugDescription: String { description }

    /// Mirrors the redacted summary, so `dump` and test failure messages never show a password.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
