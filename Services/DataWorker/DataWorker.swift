import AgentryBus
import AgentryContracts
import AgentryRuntime
import Logging

/// Builds the data worker: a ``WorkerService`` on `work.data` with the `sql.query` tool.
enum DataWorker {
    /// The tools, over `sources`.
    static func tools(configuration: DataWorkerConfiguration, sources: DataSources) -> [any WorkerTool] {
        [SQLQueryTool(sources: sources, configuration: configuration)]
    }

    /// The worker service, ready to run in a service group (or in-process in tests).
    static func service(
        configuration: DataWorkerConfiguration, sources: DataSources, bus: any MessageBus, prefetch: Int, logger: Logger
    ) -> WorkerService {
        WorkerService(
            specialist: .data, bus: bus, prefetch: prefetch, logger: logger,
            tools: tools(configuration: configuration, sources: sources))
    }
}
