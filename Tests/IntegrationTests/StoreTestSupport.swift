import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import Testing

/// Throw-away databases for the store integration tests: each test that changes schema gets its own
/// database, created through the stack's database and dropped at the end, so tests are independent and
/// can be re-run.
enum StoreFixture {
    static let logger: Logger = {
        var logger = Logger(label: "store-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The stack database's configuration, with fast reconnects and a short checkout timeout.
    static func configuration(poolSize: Int = 4) throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(url: TestStack.databaseURL())
        configuration.poolSize = poolSize
        configuration.applicationName = "agentry-store-tests"
        configuration.reconnectInitialDelay = .milliseconds(50)
        configuration.reconnectMaximumDelay = .milliseconds(500)
        configuration.checkoutTimeout = .seconds(5)
        return configuration
    }

    /// Runs `body` with a client on the stack database, closing it afterwards.
    static func withClient<T>(
        poolSize: Int = 4, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        try await PostgresClient(configuration: try configuration(poolSize: poolSize), logger: logger).closing(body)
    }

    /// Runs `body` with a client on a new, empty database that is dropped afterwards.
    static func withFreshDatabase<T>(
        poolSize: Int = 4,
        _ body: (PostgresClient, PostgresConfiguration) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withFresh(prefix: "agentry_test", poolSize: poolSize, migrate: false, logger: logger, configure: {
            $0.applicationName = "agentry-store-tests"
            $0.reconnectInitialDelay = .milliseconds(50)
            $0.reconnectMaximumDelay = .milliseconds(500)
            $0.checkoutTimeout = .seconds(5)
        }, body)
    }

    /// Runs `body`, which must throw a ``PostgresError``, and returns that error.
    static func postgresError(_ body: () async throws -> Void) async throws -> PostgresError {
        do {
            try await body()
        } catch let error as PostgresError {
            return error
        }
        throw UnexpectedSuccess()
    }

    struct UnexpectedSuccess: Error, CustomStringConvertible {
        var description: String { "the operation succeeded but a PostgresError was expected" }
    }
}

/// Every store integration suite is nested here so that they run one after another: the recovery
/// tests restart the database server, which must not break the other suites mid-test.
@Suite(.enabled(if: TestStack.isEnabled, "needs the database started by scripts/test"), .serialized)
struct StoreIntegrationTests {}
