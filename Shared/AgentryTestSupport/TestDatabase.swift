import AgentryStore
import Foundation
import Logging

/// Throw-away databases on the test stack's PostgreSQL: each test that writes gets a database of its
/// own, created through the stack's database and dropped (with its connections) at the end, so
/// tests are independent of each other and can run in parallel and again.
public enum TestDatabase {
    /// Runs `body` with a client on a new database named `<prefix>_<random>` and that database's
    /// configuration, migrated unless `migrate` is false; drops the database afterwards, whether
    /// `body` returned or threw.
    public static func withFresh<T>(
        prefix: String = "agentry_t",
        poolSize: Int = 6,
        migrate: Bool = true,
        logger: Logger,
        configure: (inout PostgresConfiguration) -> Void = { _ in },
        _ body: (PostgresClient, PostgresConfiguration) async throws -> T
    ) async throws -> T {
        var adminConfiguration = try PostgresConfiguration(url: TestStack.databaseURL())
        adminConfiguration.poolSize = 1
        adminConfiguration.applicationName = "\(prefix)-admin"
        let admin = PostgresClient(configuration: adminConfiguration, logger: logger)
        let name = "\(prefix)_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        do {
            try await admin.execute("CREATE DATABASE \(identifier: name)")
        } catch {
            await admin.close()
            throw error
        }
        var configuration = adminConfiguration
        configuration.database = name
        configuration.poolSize = poolSize
        configuration.applicationName = prefix
        configuration.checkoutTimeout = .seconds(10)
        configure(&configuration)
        let client = PostgresClient(configuration: configuration, logger: logger)
        func drop() async {
            await client.close()
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
            await admin.close()
        }
        do {
            if migrate { _ = try await Migrator(client: client).migrate() }
            let result = try await body(client, configuration)
            await drop()
            return result
        } catch {
            await drop()
            throw error
        }
    }
}
