/// The environment variables every Agentry service reads (see `docs/configuration.md`).
///
/// Each may also be given as `<NAME>_FILE`, the path of a file holding the value.
public enum ConfigurationKey: String, Sendable, CaseIterable {
    /// The service's name in logs and metrics.
    case serviceName = "AGENTRY_SERVICE_NAME"
    /// The RabbitMQ URL.
    case amqpURL = "AGENTRY_AMQP_URL"
    /// How many unacknowledged deliveries each consumer may hold.
    case prefetch = "AGENTRY_PREFETCH"
    /// The PostgreSQL URL.
    case databaseURL = "AGENTRY_DATABASE_URL"
    /// How many database connections the service may open.
    case databasePoolSize = "AGENTRY_DB_POOL_SIZE"
    /// The address the operations server (`/healthz`, `/readyz`, `/metrics`) listens on.
    case httpHost = "AGENTRY_HTTP_HOST"
    /// The port the operations server listens on.
    case httpPort = "AGENTRY_HTTP_PORT"
    /// The lowest log level written.
    case logLevel = "AGENTRY_LOG_LEVEL"
    /// `json` or `text` log lines.
    case logFormat = "AGENTRY_LOG_FORMAT"
    /// How long a graceful shutdown may take before in-flight work is cancelled.
    case shutdownGraceSeconds = "AGENTRY_SHUTDOWN_GRACE_SECONDS"
}
