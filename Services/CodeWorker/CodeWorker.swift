import AgentryBus
import AgentryContracts
import AgentryRuntime
import Logging

/// Builds the code worker: a ``WorkerService`` on `work.code` with the `shell.run` and
/// `python.run` tools.
enum CodeWorker {
    /// The tools, configured by `configuration`.
    static func tools(configuration: CodeWorkerConfiguration) -> [any WorkerTool] {
        let runner = ScriptRunner(workRoot: configuration.workRoot)
        return [
            CodeTool(.shell, configuration: configuration, runner: runner),
            CodeTool(.python, configuration: configuration, runner: runner),
        ]
    }

    /// The worker service, ready to run in a service group (or in-process in tests).
    static func service(
        configuration: CodeWorkerConfiguration, bus: any MessageBus, prefetch: Int, logger: Logger
    ) -> WorkerService {
        WorkerService(
            specialist: .code, bus: bus, prefetch: prefetch, logger: logger, tools: tools(configuration: configuration))
    }
}
