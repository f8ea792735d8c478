import Metrics
import Prometheus
import Synchronization

/// Sets up Prometheus metrics for a service process.
///
/// ```swift
/// let registry = AgentryMetrics.bootstrap()       // once, in @main
/// Counter(label: "agentry_envelopes_published_total", dimensions: [("type", "run.planned")]).increment()
/// let text = AgentryMetrics.render(registry)      // served at /metrics by OperationsServer
/// ```
public enum AgentryMetrics {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Creates a registry, installs a Prometheus factory over it into `MetricsSystem`, and returns it.
    ///
    /// `MetricsSystem` can be bootstrapped once per process: later calls return the first registry.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(makeFactory(registry: registry))
            installed = registry
            return registry
        }
    }

    /// A swift-metrics factory that records into `registry`, for code (and tests) that pass a
    /// factory explicitly: `Counter(label: "…", factory: AgentryMetrics.makeFactory(registry: registry))`.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        PrometheusMetricsFactory(registry: registry)
    }

    /// The Prometheus text exposition of everything in `registry`.
    public static func render(_ registry: PrometheusCollectorRegistry) -> String {
        registry.emitToString()
    }

    /// The content type of ``render(_:)``'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
