@testable import AgentryDataWorker
import AgentryContracts
import AgentryRuntime
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging

/// A throw-away database with sample tables for the data worker's integration tests, and requests.
enum DataWorkerFixture {
    static let logger = Logger(label: "data-worker-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The stack database's configuration with short timeouts.
    static func stackConfiguration() throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(url: TestStack.databaseURL())
        configuration.applicationName = "agentry-data-worker-tests"
        configuration.checkoutTimeout = .seconds(5)
        configuration.reconnectInitialDelay = .milliseconds(50)
        configuration.reconnectMaximumDelay = .milliseconds(500)
        return configuration
    }

    /// Runs `body` with a client owning a new database (`agentry_t_<random>`) holding an `orders`
    /// table, and that database's configuration; drops the database afterwards.
    static func withDatabase<T>(
        _ body: (_ owner: PostgresClient, _ database: PostgresConfiguration) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withFresh(prefix: "agentry_t_data", poolSize: 2, migrate: false, logger: logger, configure: {
            $0.reconnectInitialDelay = .milliseconds(50)
            $0.reconnectMaximumDelay = .milliseconds(500)
        }) { owner, database in
            try await owner.withConnection { connection in
                try await connection.executeScript("""
                    CREATE TABLE orders (
                        id integer PRIMARY KEY, customer text NOT NULL, amount numeric(10, 2),
                        placed_at timestamptz NOT NULL, meta jsonb
                    );
                    INSERT INTO orders VALUES
                        (1, 'Ada', 120.50, '2026-03-02 09:14:07.215+00', '{"channel": "web", "items": [1, 2]}'),
                        (2, 'Grace', NULL, '2026-03-03 10:00:00+00', NULL),
                        (3, 'Linus', 9.99, '2026-03-04 23:59:59.999999+00', '{"channel": "store"}');
                    CREATE SEQUENCE invoice_numbers;
                    """)
            }
            return try await body(owner, database)
        }
    }

    /// A `sql.query` tool over `sources` (name → configuration), with its own pools.
    static func tool(
        _ sources: [String: PostgresConfiguration], statementTimeoutMilliseconds: Int = 30_000, maxRows: Int = 10,
        poolSize: Int = 1
    ) -> (tool: SQLQueryTool, pools: DataSources) {
        let definitions = sources.sorted { $0.key < $1.key }.map {
            DataSourceDefinition(name: $0.key, configuration: $0.value, origin: "test")
        }
        let configuration = DataWorkerConfiguration(
            sources: definitions, statementTimeoutMilliseconds: statementTimeoutMilliseconds, maxRows: maxRows,
            poolSize: poolSize)
        let pools = DataSources(definitions, poolSize: poolSize, logger: logger)
        return (SQLQueryTool(sources: pools, configuration: configuration), pools)
    }

    /// Runs `body` with a `sql.query` tool over `sources`, closing its pools afterwards.
    static func withTool<T>(
        _ sources: [String: PostgresConfiguration], statementTimeoutMilliseconds: Int = 30_000, maxRows: Int = 10,
        poolSize: Int = 1, _ body: (SQLQueryTool) async throws -> T
    ) async throws -> T {
        let (tool, pools) = tool(
            sources, statementTimeoutMilliseconds: statementTimeoutMilliseconds, maxRows: maxRows, poolSize: poolSize)
        do {
            let result = try await body(tool)
            await pools.close()
            return result
        } catch {
            await pools.close()
            throw error
        }
    }

    /// A `sql.query` work item's request.
    static func request(_ sql: String, source: String? = nil) -> ToolRequest {
        var input: [String: JSONValue] = ["sql": .string(sql)]
        if let source { input["source"] = .string(source) }
        let item = WorkItem(
            stepId: "query", specialist: .data, tool: "sql.query", input: .object(input),
            idempotencyKey: "run/query/" + UUID().uuidString, risk: .low)
        return ToolRequest(
            input: .object(input), item: item, envelope: Envelope(tenant: "test", payload: .workItem(item)),
            logger: logger)
    }

    /// Runs `body`, which must throw a ``ToolFailure``, and returns it.
    static func failure(_ body: () async throws -> JSONValue) async throws -> ToolFailure {
        do {
            let output = try await body()
            throw UnexpectedOutput(output: output)
        } catch let failure as ToolFailure {
            return failure
        }
    }

    struct UnexpectedOutput: Error, CustomStringConvertible {
        let output: JSONValue
        var description: String { "expected a ToolFailure, got output \(output)" }
    }
}
