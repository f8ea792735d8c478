import AgentryServiceKit
import Foundation
import Logging
import Testing

@Suite struct ServiceConfigurationTests {
    @Test func defaultsWhenNothingIsSet() throws {
        let configuration = try ServiceConfiguration(serviceName: "director", defaultHTTPPort: 8081, environment: [:])
        #expect(configuration.serviceName == "director")
        #expect(configuration.broker.url == "amqp://guest:guest@127.0.0.1:5672/%2F")
        #expect(configuration.broker.prefetch == 32)
        #expect(configuration.database.url == "postgres://agentry:agentry@127.0.0.1:5432/agentry")
        #expect(configuration.database.poolSize == 10)
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.http.port == 8081)
        #expect(configuration.log.level == .info)
        #expect(configuration.log.format == .json)
        #expect(configuration.shutdown.gracePeriod == .seconds(25))
        #expect(configuration == ServiceConfiguration(serviceName: "director", http: .init(port: 8081)))
    }

    @Test func everyVariableOverridesItsDefault() throws {
        let environment = [
            "AGENTRY_SERVICE_NAME": "director-eu",
            "AGENTRY_AMQP_URL": "amqps://agentry:s3cret@rabbit.internal:5671/prod",
            "AGENTRY_PREFETCH": "8",
            "AGENTRY_DATABASE_URL": "postgresql://agentry:pw@db.internal:5432/agentry?sslmode=require",
            "AGENTRY_DB_POOL_SIZE": "25",
            "AGENTRY_HTTP_HOST": "0.0.0.0",
            "AGENTRY_HTTP_PORT": "9000",
            "AGENTRY_LOG_LEVEL": "DEBUG",
            "AGENTRY_LOG_FORMAT": "text",
            "AGENTRY_SHUTDOWN_GRACE_SECONDS": "5",
        ]
        let configuration = try ServiceConfiguration(serviceName: "director", defaultHTTPPort: 8081, environment: environment)
        #expect(configuration.serviceName == "director-eu")
        #expect(configuration.broker == .init(url: "amqps://agentry:s3cret@rabbit.internal:5671/prod", prefetch: 8))
        #expect(configuration.database == .init(url: "postgresql://agentry:pw@db.internal:5432/agentry?sslmode=require", poolSize: 25))
        #expect(configuration.http == .init(host: "0.0.0.0", port: 9000))
        #expect(configuration.log == .init(level: .debug, format: .text))
        #expect(configuration.shutdown.gracePeriod == .seconds(5))
    }

    @Test func emptyValuesCountAsUnset() throws {
        let configuration = try ServiceConfiguration(
            serviceName: "notifier", defaultHTTPPort: 8086, environment: ["AGENTRY_HTTP_PORT": "", "AGENTRY_LOG_LEVEL": ""]
        )
        #expect(configuration.http.port == 8086)
        #expect(configuration.log.level == .info)
    }

    @Test func warnIsAcceptedForWarning() throws {
        let configuration = try ServiceConfiguration(
            serviceName: "x", defaultHTTPPort: 1, environment: ["AGENTRY_LOG_LEVEL": "warn"]
        )
        #expect(configuration.log.level == .warning)
    }

    @Test(arguments: [
        ("AGENTRY_HTTP_PORT", "eighty"),
        ("AGENTRY_HTTP_PORT", "70000"),
        ("AGENTRY_HTTP_PORT", "-1"),
        ("AGENTRY_PREFETCH", "0"),
        ("AGENTRY_DB_POOL_SIZE", "ten"),
        ("AGENTRY_SHUTDOWN_GRACE_SECONDS", "2.5"),
        ("AGENTRY_LOG_LEVEL", "verbose"),
        ("AGENTRY_LOG_FORMAT", "xml"),
        ("AGENTRY_AMQP_URL", "http://guest:guest@localhost:5672"),
        ("AGENTRY_DATABASE_URL", "mysql://root:hunter2@db/agentry"),
    ])
    func invalidValueIsATypedErrorNamingTheKey(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(serviceName: "x", defaultHTTPPort: 8080, environment: [key: value])
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.key == key)
        #expect(error?.description.hasPrefix(key + ": ") == true)
        #expect(error?.description.contains("hunter2") == false, "a URL's password never appears in an error")
    }

    @Test func secretsAreReadFromFilesAndTrimmed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("database-url")
        let amqp = directory.appendingPathComponent("amqp-url")
        let port = directory.appendingPathComponent("port")
        try "  postgres://agentry:from-file@db:5432/agentry\n\n".write(to: database, atomically: true, encoding: .utf8)
        try "amqp://agentry:rabbit-file@mq:5672/%2F\n".write(to: amqp, atomically: true, encoding: .utf8)
        try "9100\n".write(to: port, atomically: true, encoding: .utf8)

        let configuration = try ServiceConfiguration(serviceName: "x", defaultHTTPPort: 8080, environment: [
            "AGENTRY_DATABASE_URL_FILE": database.path,
            "AGENTRY_AMQP_URL_FILE": amqp.path,
            "AGENTRY_HTTP_PORT_FILE": port.path,
        ])
        #expect(configuration.database.url == "postgres://agentry:from-file@db:5432/agentry")
        #expect(configuration.broker.url == "amqp://agentry:rabbit-file@mq:5672/%2F")
        #expect(configuration.http.port == 9100)
    }

    @Test func unreadableSecretFileNamesTheFileVariable() {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(serviceName: "x", defaultHTTPPort: 8080, environment: [
                "AGENTRY_DATABASE_URL_FILE": "/nonexistent/agentry/\(UUID())",
            ])
        }
        #expect(error?.code == .unreadableFile)
        #expect(error?.key == "AGENTRY_DATABASE_URL_FILE")
    }

    @Test func valueAndFileTogetherConflict() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-\(UUID())")
        try "amqp://a:b@c/%2F".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(serviceName: "x", defaultHTTPPort: 8080, environment: [
                "AGENTRY_AMQP_URL": "amqp://guest:guest@localhost/%2F",
                "AGENTRY_AMQP_URL_FILE": file.path,
            ])
        }
        #expect(error?.code == .conflictingSources)
        #expect(error?.key == "AGENTRY_AMQP_URL")
    }

    @Test func printedConfigurationNeverShowsPasswords() throws {
        let configuration = try ServiceConfiguration(serviceName: "x", defaultHTTPPort: 8080, environment: [
            "AGENTRY_AMQP_URL": "amqp://agentry:rabbit-pass@mq:5672/%2F",
            "AGENTRY_DATABASE_URL": "postgres://agentry:db-pass@db:5432/agentry",
        ])
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [
            "\(configuration)", String(reflecting: configuration), dumped,
            "\(configuration.broker)", "\(configuration.database)", String(reflecting: configuration.database),
        ] {
            #expect(!text.contains("rabbit-pass"), "\(text)")
            #expect(!text.contains("db-pass"), "\(text)")
        }
        #expect("\(configuration)".contains("amqp://agentry:***@mq:5672/%2F"))
        #expect(configuration.database.redactedURL == "postgres://agentry:***@db:5432/agentry")
    }

    @Test func documentationListsEveryVariable() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/configuration.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for key in ConfigurationKey.allCases {
            #expect(text.contains("`\(key.rawValue)`"), "docs/configuration.md does not document \(key.rawValue)")
        }
    }
}
