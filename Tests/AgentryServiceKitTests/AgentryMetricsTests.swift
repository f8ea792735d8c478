import AgentryServiceKit
import Metrics
import Prometheus
import Testing

@Suite struct AgentryMetricsTests {
    /// The only test that touches the process-wide `MetricsSystem`.
    @Test func bootstrapInstallsOneRegistryForTheProcess() {
        let registry = AgentryMetrics.bootstrap()
        #expect(AgentryMetrics.bootstrap() === registry, "a second bootstrap returns the first registry")
        Counter(label: "agentry_bootstrap_test_total").increment()
        #expect(AgentryMetrics.render(registry).contains("agentry_bootstrap_test_total 1"))
    }

    @Test func renderEmitsTheExpositionFormat() {
        let registry = PrometheusCollectorRegistry()
        let factory = AgentryMetrics.makeFactory(registry: registry)
        Counter(label: "agentry_steps_total", dimensions: [("specialist", "data"), ("outcome", "ok")], factory: factory)
            .increment(by: 2)
        let text = AgentryMetrics.render(registry)
        #expect(text.contains("# TYPE agentry_steps_total counter"))
        #expect(text.contains(#"agentry_steps_total{specialist="data",outcome="ok"} 2"#), "\(text)")
    }
}
