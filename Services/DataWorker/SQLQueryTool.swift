import AgentryContracts
import AgentryRuntime
import AgentryStore
import Metrics

/// `sql.query` {sql, source?}: runs one read-only statement against a configured data source
/// (`default` unless `source` names another) and returns
/// `{columns, rows: [{column: value}], rowCount, truncated, text}`.
///
/// See ``ReadOnlyQuery`` for how the statement is confined, ``SQLValue`` for how cells become JSON,
/// ``TextTable`` for `text` and ``SQLFailure`` for the failures.
struct SQLQueryTool: WorkerTool {
    let name = "sql.query"
    let sources: DataSources
    let query: ReadOnlyQuery
    let table: TextTable

    init(sources: DataSources, configuration: DataWorkerConfiguration) {
        self.sources = sources
        self.query = ReadOnlyQuery(
            maxRows: configuration.maxRows, statementTimeoutMilliseconds: configuration.statementTimeoutMilliseconds)
        self.table = TextTable(maxRows: configuration.textMaxRows, maxCellWidth: configuration.textMaxCellWidth)
    }

    func run(_ request: ToolRequest) async throws -> JSONValue {
        let sql = try request.string("sql")
        guard sql.contains(where: { !$0.isWhitespace }) else {
            throw ToolFailure(code: "invalid_input", "input.sql holds no statement", retryable: false)
        }
        let requested = try request.optionalString("source") ?? ""
        let source = requested.isEmpty ? "default" : requested.lowercased()
        guard let client = sources.client(named: source) else {
            let known = sources.names.isEmpty ? "none are configured" : "known: " + sources.names.joined(separator: ", ")
            throw ToolFailure(code: "unknown_source", "no data source is named \"\(source)\" (\(known))", retryable: false)
        }
        let started = ContinuousClock.now
        do {
            let result = try await query.run(sql, on: client)
            record(source: source, outcome: result.truncated ? "truncated" : "succeeded", since: started)
            request.logger.debug("query answered", metadata: [
                "source": "\(source)", "rows": "\(result.rows.count)", "truncated": "\(result.truncated)",
            ])
            return result.json(table: table)
        } catch let error as PostgresError {
            let failure = SQLFailure.toolFailure(
                for: error, source: source, statementTimeoutMilliseconds: query.statementTimeoutMilliseconds)
            record(source: source, outcome: failure.code, since: started)
            throw failure
        }
    }

    private func record(source: String, outcome: String, since started: ContinuousClock.Instant) {
        Counter(label: "agentry_data_queries_total", dimensions: [("source", source), ("outcome", outcome)]).increment()
        Metrics.Timer(
            label: "agentry_data_query_seconds", dimensions: [("source", source)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(started.duration(to: .now).nanoseconds)
    }
}
