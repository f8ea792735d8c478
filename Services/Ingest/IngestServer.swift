import Hummingbird
import Logging
import ServiceLifecycle

/// The public API's HTTP server: a `Service` that serves ``IngestRoutes`` on
/// ``IngestConfiguration/apiHost``:``IngestConfiguration/apiPort`` until graceful shutdown.
///
/// ```swift
/// let server = IngestServer(api: api, onRunning: { port in print("listening on \(port)") })
/// try await runtime.run([server])
/// ```
struct IngestServer: Service, CustomStringConvertible {
    let api: IngestAPI
    /// Called with the bound port once the server accepts connections (useful with port 0).
    let onRunning: @Sendable (Int) async -> Void

    init(api: IngestAPI, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.api = api
        self.onRunning = onRunning
    }

    var description: String { "IngestServer(\(api.configuration.apiHost):\(api.configuration.apiPort))" }

    func run() async throws {
        let configuration = api.configuration
        let logger = api.logger
        let onRunning = self.onRunning
        let application = Application(
            router: IngestRoutes.router(api: api),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.apiHost, port: configuration.apiPort), serverName: "agentry-ingest"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.apiPort
                logger.info("API listening", metadata: ["http.host": "\(configuration.apiHost)", "http.port": "\(port)"])
                await onRunning(port)
            },
            logger: logger)
        try await application.run()
    }
}
