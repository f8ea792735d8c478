import AgentryStore
import Logging

/// One connection pool per configured data source, opened lazily (no connection until the first query).
final class DataSources: Sendable {
    private let clients: [String: PostgresClient]

    /// The source names, sorted.
    let names: [String]

    /// Creates a pool of `poolSize` connections per source.
    ///
    /// The pools keep no prepared statements: every query ends with `DISCARD ALL` (see
    /// ``ReadOnlyQuery``), which would drop them, and a step's SQL rarely runs twice anyway.
    init(_ definitions: [DataSourceDefinition], poolSize: Int, logger: Logger) {
        var clients: [String: PostgresClient] = [:]
        for definition in definitions {
            var configuration = definition.configuration
            configuration.poolSize = poolSize
            configuration.statementCacheCapacity = 0
            if configuration.applicationName == PostgresConfiguration().applicationName {
                configuration.applicationName = "agentry-data-worker"
            }
            clients[definition.name] = PostgresClient(configuration: configuration, logger: logger)
        }
        self.clients = clients
        self.names = clients.keys.sorted()
    }

    /// The pool of the source `name`, if there is one.
    func client(named name: String) -> PostgresClient? { clients[name] }

    /// Closes every pool.
    func close() async {
        for client in clients.values { await client.close() }
    }
}
