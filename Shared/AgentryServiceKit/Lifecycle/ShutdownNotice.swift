import Logging
import ServiceLifecycle

/// Marks the service not-ready as soon as graceful shutdown begins.
///
/// ``AgentryServiceRunner`` puts it last in the group; the group shuts services down in reverse
/// order, so it is told first, before any consumer stops, and the operations server (first in
/// the group) keeps answering `/healthz` and `/readyz` until everything else has stopped.
struct ShutdownNotice: Service, CustomStringConvertible {
    let readiness: ReadinessChecks
    let logger: Logger

    var description: String { "ShutdownNotice" }

    func run() async throws {
        // Cancellation (rather than graceful shutdown) ends the wait too; either way, stop.
        try? await gracefulShutdown()
        readiness.markShuttingDown()
        logger.info("graceful shutdown started: reporting not ready")
    }
}
