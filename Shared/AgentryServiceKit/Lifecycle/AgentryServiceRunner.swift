import Logging
import Prometheus
import ServiceLifecycle

/// Runs a service process: its services plus the operations server in one `ServiceGroup` that
/// shuts down gracefully on SIGTERM or SIGINT.
///
/// On shutdown the group first reports not-ready, then stops the given services in reverse
/// order (so list consumers after what they depend on), then the operations server. Services
/// that have not stopped after ``ServiceConfiguration/Shutdown/gracePeriod`` are cancelled.
///
/// ```swift
/// @main
/// struct Director {
///     static func main() async throws {
///         let configuration = try ServiceConfiguration(serviceName: "director", defaultHTTPPort: 8081)
///         let logger = AgentryLogging.bootstrap(configuration: configuration)
///         let registry = AgentryMetrics.bootstrap()
///         let readiness = ReadinessChecks()
///         let services = try await buildDirector(configuration: configuration, readiness: readiness, logger: logger)
///         try await AgentryServiceRunner(
///             configuration: configuration, logger: logger, services: services,
///             registry: registry, readiness: readiness
///         ).run()
///     }
/// }
/// ```
public struct AgentryServiceRunner: Sendable {
    /// The service's configuration (HTTP address, shutdown grace period).
    public let configuration: ServiceConfiguration
    /// The group's logger.
    public let logger: Logger
    /// The service's own long-running work, in start order.
    public let services: [any Service]
    /// The metrics served at `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// The checks served at `/readyz`.
    public let readiness: ReadinessChecks
    private let onOperationsServerRunning: @Sendable (Int) async -> Void

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - configuration: The service's configuration.
    ///   - logger: The service's logger.
    ///   - services: The service's own `Service`s, in start order. A service that returns on its
    ///     own, outside a shutdown, ends the whole group (the process should then exit and restart).
    ///   - registry: The metrics registry from ``AgentryMetrics/bootstrap()``.
    ///   - readiness: The checks behind `/readyz`.
    ///   - onOperationsServerRunning: Called with the operations server's port once it listens.
    public init(
        configuration: ServiceConfiguration,
        logger: Logger,
        services: [any Service],
        registry: PrometheusCollectorRegistry,
        readiness: ReadinessChecks = ReadinessChecks(),
        onOperationsServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.services = services
        self.registry = registry
        self.readiness = readiness
        self.onOperationsServerRunning = onOperationsServerRunning
    }

    /// The group configuration: the operations server first, the services, then the shutdown
    /// notice; SIGTERM and SIGINT trigger graceful shutdown, bounded by the grace period.
    public func makeGroupConfiguration() -> ServiceGroupConfiguration {
        let server = OperationsServer(
            host: configuration.http.host,
            port: configuration.http.port,
            registry: registry,
            readiness: readiness,
            logger: logger,
            onRunning: onOperationsServerRunning
        )
        let all: [any Service] = [server] + services + [ShutdownNotice(readiness: readiness, logger: logger)]
        var group = ServiceGroupConfiguration(
            services: all,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        group.maximumGracefulShutdownDuration = configuration.shutdown.gracePeriod
        return group
    }

    /// The group, for callers that trigger shutdown themselves (tests, embedding).
    public func makeServiceGroup() -> ServiceGroup {
        ServiceGroup(configuration: makeGroupConfiguration())
    }

    /// Runs every service until graceful shutdown completes, or rethrows the first failure.
    public func run() async throws {
        logger.info("starting", metadata: ["configuration": "\(configuration)"])
        try await makeServiceGroup().run()
        logger.info("stopped")
    }
}
