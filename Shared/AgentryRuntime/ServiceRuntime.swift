import AgentryBus
import AgentryContracts
import AgentryServiceKit
import AgentryStore
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// Everything a service process shares: its configuration, logger, metrics registry, readiness
/// checks, the broker connection (with the standard topology declared) and, for services that keep
/// state, the database client.
///
/// ```swift
/// let runtime = try await ServiceRuntime.start(name: "director", defaultHTTPPort: 8081, store: .required)
/// try await runtime.run([OutboxRelay(runtime: runtime), EnvelopeConsumer(...)])
/// ```
public struct ServiceRuntime: Sendable {
    /// Whether a service uses PostgreSQL.
    public enum StoreUse: Sendable {
        /// No database: readiness depends on the broker only.
        case none
        /// A database client; migrations are applied at start unless `AGENTRY_MIGRATE_ON_START=false`.
        case required
    }

    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let registry: PrometheusCollectorRegistry
    public let readiness: ReadinessChecks
    public let connection: AMQPConnection
    public let bus: AMQPBus
    private let storeClient: PostgresClient?

    /// The database client; only for services started with `store: .required`.
    public var store: PostgresClient {
        guard let storeClient else { preconditionFailure("\(configuration.serviceName) was started without a store") }
        return storeClient
    }

    /// Reads the configuration, sets up logging and metrics, connects to the broker (waiting and
    /// retrying while it is unreachable), declares the standard topology and, if asked, opens the
    /// database and applies migrations.
    public static func start(
        name: String,
        defaultHTTPPort: Int,
        store: StoreUse,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> ServiceRuntime {
        let configuration = try ServiceConfiguration(
            serviceName: name, defaultHTTPPort: defaultHTTPPort, environment: environment)
        let logger = AgentryLogging.bootstrap(configuration: configuration)
        let registry = AgentryMetrics.bootstrap()
        let reader = ConfigurationReader(environment: environment)
        let deliveryLimit = try reader.integer("AGENTRY_DELIVERY_LIMIT", default: AgentryTopology.defaultDeliveryLimit, in: 1...1000)
        let migrate = try reader.string("AGENTRY_MIGRATE_ON_START", default: "true").lowercased() != "false"

        let readiness = ReadinessChecks()
        let endpoint = try AMQPEndpoint(url: configuration.broker.url)
        let connection = AMQPConnection(endpoint: endpoint, name: configuration.serviceName, logger: logger)
        connection.start()
        readiness.register("broker") { connection.isConnected }
        try await waitForBroker(connection, logger: logger)
        try await connection.declare(AgentryTopology.standard(deliveryLimit: deliveryLimit))

        var client: PostgresClient?
        if case .required = store {
            let opened = try PostgresClient(
                url: configuration.database.url, poolSize: configuration.database.poolSize,
                applicationName: "agentry-\(configuration.serviceName)", logger: logger)
            readiness.register("database") { opened.isConnected }
            if migrate { try await migrateWithRetry(opened, logger: logger) }
            client = opened
        }
        return ServiceRuntime(
            configuration: configuration, logger: logger, registry: registry, readiness: readiness,
            connection: connection, bus: AMQPBus(connection: connection), storeClient: client)
    }

    /// Runs `services` with the operations server under one service group until SIGTERM or SIGINT,
    /// then closes the broker connection and the database pool.
    public func run(_ services: [any Service]) async throws {
        let runner = AgentryServiceRunner(
            configuration: configuration, logger: logger, services: services, registry: registry,
            readiness: readiness)
        do {
            try await runner.run()
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    private func shutdown() async {
        await connection.close()
        if let storeClient { await storeClient.close() }
    }

    private static func waitForBroker(_ connection: AMQPConnection, logger: Logger) async throws {
        var waited = 0
        while true {
            do {
                try await connection.waitUntilConnected(timeout: .seconds(5))
                return
            } catch {
                waited += 5
                logger.warning("waiting for the broker", metadata: ["waited.seconds": "\(waited)"])
            }
        }
    }

    private static func migrateWithRetry(_ client: PostgresClient, logger: Logger) async throws {
        var delay = Duration.milliseconds(200)
        while true {
            do {
                let applied = try await Migrator(client: client).migrate()
                if !applied.isEmpty {
                    logger.info("migrations applied", metadata: ["migrations": "\(applied.map(\.version))"])
                }
                return
            } catch let error as PostgresError where error.isTransient {
                logger.warning("waiting for the database", metadata: ["error.message": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
