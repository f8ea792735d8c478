import Testing
@testable import AgentryStore

@Suite struct PostgresConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://agentry:s3cret@db.internal:6543/agentry_prod?sslmode=require&application_name=director")
        #expect(configuration.user == "agentry")
        #expect(configuration.password == "s3cret")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "agentry_prod")
        #expect(configuration.sslMode == .require)
        #expect(configuration.applicationName == "director")
    }

    @Test func percentDecodesEveryPart() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://us%40er:p%40ss%3Aw%2Frd%20%E2%9C%93@localhost/my%20db?application_name=a%26b")
        #expect(configuration.user == "us@er")
        #expect(configuration.password == "p@ss:w/rd ✓")
        #expect(configuration.database == "my db")
        #expect(configuration.applicationName == "a&b")
        #expect(configuration.port == 5432)
    }

    @Test func defaultsWhenPartsAreMissing() throws {
        let configuration = try PostgresConfiguration(url: "postgres://localhost")
        #expect(configuration.user == nil)
        #expect(configuration.password == nil)
        #expect(configuration.database == nil)
        #expect(configuration.port == 5432)
        #expect(configuration.sslMode == .prefer)
        #expect(configuration.poolSize == 10)
        let socket = try PostgresConfiguration(url: "postgres://agentry@/agentry?host=%2Fvar%2Frun%2Fpostgresql")
        #expect(socket.host == "/var/run/postgresql")
        #expect(socket.user == "agentry")
    }

    @Test func parsesIPv6AndExtraParameters() throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://u:p@[::1]:5433/db?connect_timeout=3&target_session_attrs=read-write")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5433)
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.extraParameters == ["target_session_attrs": "read-write"])
    }

    @Test(arguments: [
        "mysql://u:p@h/db", "postgres:/h/db", "postgres://u:p@h:notaport/db", "postgres://u:p@h:0/db",
        "postgres://u:p@h:70000/db", "postgres://u:p%zz@h/db", "postgres://u:p%4@h/db",
        "postgres://u:p@h/db?sslmode=maybe",
        "postgres://u:p@[::1/db", "postgres://u:p@h1,h2/db", "postgres://u:p@h/db?connect_timeout=soon",
        "postgres://u:p%00x@h/db", "postgres://u:p@h/db?=x",
    ])
    func rejectsInvalidURLs(url: String) {
        #expect {
            try PostgresConfiguration(url: url)
        } throws: { error in
            (error as? PostgresError)?.code == .invalidConfiguration
        }
    }

    @Test func errorsAndDescriptionNeverRevealThePassword() throws {
        do {
            _ = try PostgresConfiguration(url: "postgres://u:hunter2@h:bad/db")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
        let configuration = try PostgresConfiguration(url: "postgres://u:hunter2@h/db")
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description == "postgres://u:***@h:5432/db")
    }

    @Test func sessionsRunInUTCWithISODates() throws {
        var configuration = try PostgresConfiguration(url: "postgres://u:p@h/db?options=-c%20statement_timeout%3D5s")
        configuration.applicationName = "agentry-test"
        let parameters = Dictionary(configuration.libpqParameters(), uniquingKeysWith: { $1 })
        let options = try #require(parameters["options"])
        #expect(options.contains("-c TimeZone=UTC"))
        #expect(options.contains("-c DateStyle=ISO"))
        #expect(options.contains("-c statement_timeout=5s"))
        #expect(parameters["application_name"] == "agentry-test")
        #expect(parameters["password"] == "p")
        #expect(parameters["dbname"] == "db")
    }
}
