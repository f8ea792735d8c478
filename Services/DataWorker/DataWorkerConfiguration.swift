import AgentryServiceKit
import Foundation

/// The data worker's own settings, read once at start-up (each variable may also be given as
/// `<NAME>_FILE`; see docs/configuration.md).
struct DataWorkerConfiguration: Sendable {
    /// The data sources `sql.query` may read (see ``DataSourceDefinition/parse(environment:)``).
    var sources: [DataSourceDefinition]
    /// How long one statement may run, in milliseconds (`SET LOCAL statement_timeout`).
    /// `AGENTRY_DATA_STATEMENT_TIMEOUT_MS`; default 5000, 1–3600000.
    var statementTimeoutMilliseconds: Int
    /// The most rows a query returns; more sets `truncated`. `AGENTRY_DATA_MAX_ROWS`; default 1000, 1–100000.
    var maxRows: Int
    /// Connections per data source. `AGENTRY_DATA_POOL_SIZE`; default 4, 1–100.
    var poolSize: Int
    /// The most rows shown in the plain-text table (`text`). `AGENTRY_DATA_TEXT_MAX_ROWS`; default 50, 1–100000.
    var textMaxRows: Int
    /// The widest cell in the plain-text table, in characters; longer ones end in `…`.
    /// `AGENTRY_DATA_TEXT_MAX_CELL_WIDTH`; default 40, 4–10000.
    var textMaxCellWidth: Int

    /// Creates a configuration from explicit values (tests).
    init(
        sources: [DataSourceDefinition], statementTimeoutMilliseconds: Int = 5_000, maxRows: Int = 1_000,
        poolSize: Int = 4, textMaxRows: Int = 50, textMaxCellWidth: Int = 40
    ) {
        self.sources = sources
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.maxRows = maxRows
        self.poolSize = poolSize
        self.textMaxRows = textMaxRows
        self.textMaxCellWidth = textMaxCellWidth
    }

    /// Reads the configuration from `environment`.
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable.
    init(environment: [String: String]) throws(ConfigurationError) {
        let reader = ConfigurationReader(environment: environment)
        self.init(
            sources: try DataSourceDefinition.parse(environment: environment),
            statementTimeoutMilliseconds: try reader.integer(
                "AGENTRY_DATA_STATEMENT_TIMEOUT_MS", default: 5_000, in: 1...3_600_000),
            maxRows: try reader.integer("AGENTRY_DATA_MAX_ROWS", default: 1_000, in: 1...100_000),
            poolSize: try reader.integer("AGENTRY_DATA_POOL_SIZE", default: 4, in: 1...100),
            textMaxRows: try reader.integer("AGENTRY_DATA_TEXT_MAX_ROWS", default: 50, in: 1...100_000),
            textMaxCellWidth: try reader.integer("AGENTRY_DATA_TEXT_MAX_CELL_WIDTH", default: 40, in: 4...10_000))
    }
}
