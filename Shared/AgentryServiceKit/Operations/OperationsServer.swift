import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The HTTP server every service runs for operators and orchestrators:
///
/// - `GET /healthz`: 200 while the process runs (liveness).
/// - `GET /readyz`: 200 while every ``ReadinessChecks`` check passes, else 503 with a JSON body
///   naming the failing checks (readiness).
/// - `GET /metrics`: the Prometheus text exposition of the registry.
///
/// It is a `Service`: ``AgentryServiceRunner`` runs it in the service group; graceful shutdown stops it.
///
/// ```swift
/// let server = OperationsServer(
///     host: configuration.http.host, port: configuration.http.port,
///     registry: registry, readiness: readiness, logger: logger
/// )
/// ```
public struct OperationsServer: Service, CustomStringConvertible {
    /// The address bound.
    public let host: String
    /// The port bound; `0` picks a free port (reported to `onRunning`).
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let readiness: ReadinessChecks
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// Creates the server.
    ///
    /// - Parameters:
    ///   - host: The address to bind (`0.0.0.0` in a container).
    ///   - port: The port to bind; `0` picks a free one.
    ///   - registry: The metrics served at `/metrics`.
    ///   - readiness: The checks behind `/readyz`.
    ///   - logger: The server's logger.
    ///   - onRunning: Called with the bound port once the server accepts connections.
    public init(
        host: String,
        port: Int,
        registry: PrometheusCollectorRegistry,
        readiness: ReadinessChecks,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
        self.onRunning = onRunning
    }

    public var description: String { "OperationsServer(\(host):\(port))" }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        let onRunning = self.onRunning
        let fallbackPort = port
        let logger = self.logger
        let application = Application(
            router: Self.buildRouter(registry: registry, readiness: readiness),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? fallbackPort
                logger.info("operations server listening", metadata: ["http.port": "\(bound)"])
                await onRunning(bound)
            },
            logger: logger
        )
        try await application.run()
    }

    /// The routes, for running in-process in tests (`Application(router:).test(.router)`).
    public static func buildRouter(
        registry: PrometheusCollectorRegistry,
        readiness: ReadinessChecks
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in
            jsonResponse(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ in
            let report = await readiness.evaluate()
            return jsonResponse(report.isReady ? .ok : .serviceUnavailable, readinessBody(report))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: AgentryMetrics.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: AgentryMetrics.render(registry)))
            )
        }
        return router
    }

    /// `{"status":"ready"|"unavailable","checks":{"broker":true,…},"failing":[…]}`.
    static func readinessBody(_ report: ReadinessReport) -> String {
        let checks = report.checks.keys.sorted()
            .map { LogLineRenderer.quoted($0) + ":" + (report.checks[$0] == true ? "true" : "false") }
            .joined(separator: ",")
        let failing = report.failing.map(LogLineRenderer.quoted).joined(separator: ",")
        let status = report.isReady ? "ready" : "unavailable"
        return #"{"status":"\#(status)","checks":{\#(checks)},"failing":[\#(failing)]}"#
    }

    private static func jsonResponse(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
