import AgentryBus
import AgentryContracts
import AgentryRuntime
import AgentryStore
import Foundation
import Logging

/// The ingest gateway's API, independent of the HTTP server: each handler takes the request's
/// headers and body (read within the size limit) and returns the answer, so it can be tested
/// without sockets. ``IngestRoutes`` connects it to Hummingbird.
///
/// Envelopes are published to the events exchange and each handler answers only after the broker
/// confirmed them; when it does not (down, refusing, or silent for
/// ``IngestConfiguration/publishTimeout``) the answer is 503 `broker_unavailable`.
///
/// ```swift
/// let api = IngestAPI(configuration: configuration, bus: runtime.bus,
///                     store: PostgresRunStore(client: runtime.store), logger: runtime.logger)
/// let answer = await api.submitRun(APIRequest(headers: ["content-type": "application/json"], body: body))
/// ```
struct IngestAPI: Sendable {
    let configuration: IngestConfiguration
    let bus: any MessageBus
    let store: any RunStore
    let logger: Logger
    let metrics: IngestMetrics
    /// The clock for Slack's timestamp window.
    let now: @Sendable () -> Date
    let slackVerifier: SlackSignatureVerifier?
    let slackMapper: SlackEventMapper
    /// API keys and the per-tenant rate limit.
    let access: APIAccess

    init(
        configuration: IngestConfiguration,
        bus: any MessageBus,
        store: any RunStore,
        logger: Logger,
        metrics: IngestMetrics = IngestMetrics(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.bus = bus
        self.store = store
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.slackVerifier = configuration.slackSigningSecret.map(SlackSignatureVerifier.init(signingSecret:))
        self.slackMapper = SlackEventMapper(
            defaultTenant: configuration.defaultTenant, teamTenants: configuration.slackTeamTenants)
        self.access = APIAccess(mode: configuration.apiAuth, requestsPerMinute: configuration.apiRateLimit)
    }

    /// Runs a handler body, turning a thrown ``APIError`` into its answer and counting the rejection.
    func answer(_ body: () async throws(APIError) -> APIResponse) async -> APIResponse {
        do {
            return try await body()
        } catch {
            metrics.rejected(error)
            if error.status.code >= 500 {
                logger.warning("request failed", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"])
            } else {
                logger.debug("request rejected", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"])
            }
            return .error(error)
        }
    }

    /// Publishes `envelope` as a fact and returns once the broker confirmed it.
    ///
    /// - Throws: ``APIError/brokerUnavailable(_:)`` when the broker did not confirm in time.
    func confirm(_ envelope: Envelope) async throws(APIError) {
        let bus = self.bus
        do {
            try await Deadline.run(configuration.publishTimeout) { try await bus.publishEvent(envelope) }
        } catch {
            let detail: String
            switch error {
            case let error as AMQPError: detail = error.code.rawValue.replacingOccurrences(of: "_", with: " ")
            case let error as Deadline.Exceeded: detail = error.description
            default: detail = "publish failed"
            }
            logger.warning("envelope not confirmed by the broker", metadata: [
                "envelope.type": "\(envelope.type.rawValue)", "envelope.id": "\(envelope.id.wireString)",
                "error.message": "\(error)",
            ])
            throw .brokerUnavailable(detail)
        }
    }

    /// Reads from the store, mapping its failures to 503 (database unreachable) or 500.
    func read<T: Sendable>(_ body: () async throws -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.isTransient {
            logger.warning("database unavailable", metadata: ["error.message": "\(error)"])
            throw .databaseUnavailable
        } catch {
            logger.error("reading runs failed", metadata: ["error.message": "\(error)"])
            throw .internalError
        }
    }

    /// `text` as an id, or 400 naming what it is an id of.
    static func id(_ text: String, of kind: String) throws(APIError) -> UUID {
        guard text.count == 36, let id = UUID(uuidString: text) else {
            throw .invalidRequest("\"\(text.prefix(64))\" is not a valid \(kind) id (a UUID)")
        }
        return id
    }
}
