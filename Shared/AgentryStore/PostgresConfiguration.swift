/// How to reach PostgreSQL and how the client's pool behaves.
///
/// Usually built from a URL (see ``init(url:)``); the other properties have working defaults.
///
/// ```swift
/// var configuration = try PostgresConfiguration(url: "postgres://agentry:secret@db:5432/agentry?sslmode=require")
/// configuration.poolSize = 20
/// configuration.applicationName = "agentry-director"
/// let client = PostgresClient(configuration: configuration, logger: logger)
/// ```
public struct PostgresConfiguration: Sendable {
    /// The TLS policy (libpq's `sslmode`).
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The server host name or address; nil uses libpq's default (the local Unix socket). A value
    /// starting with `/` is a Unix-socket directory.
    public var host: String?
    /// The server port. Default 5432.
    public var port: Int = 5432
    /// The role to log in as; nil uses libpq's default (the OS user name).
    public var user: String?
    /// The password; never printed (``description`` redacts it).
    public var password: String?
    /// The database; nil uses libpq's default (the role name).
    public var database: String?
    /// The TLS policy. Default `prefer`, libpq's default.
    public var sslMode: SSLMode = .prefer
    /// Shown in `pg_stat_activity.application_name`. Default `agentry`.
    public var applicationName = "agentry"
    /// How long establishing one connection may take (libpq `connect_timeout`, whole seconds, at least 2).
    /// Default 10 seconds.
    public var connectTimeout: Duration = .seconds(10)
    /// The most connections the pool opens. Default 10.
    public var poolSize = 10
    /// How long a caller waits for a free connection before failing with `.timeout` (or with
    /// `.connectionFailed` while the server is unreachable). Default 10 seconds.
    public var checkoutTimeout: Duration = .seconds(10)
    /// The first delay before re-trying a failed connection attempt; it doubles per failure, with jitter.
    /// Default 100 ms.
    public var reconnectInitialDelay: Duration = .milliseconds(100)
    /// The largest delay between connection attempts. Default 5 seconds.
    public var reconnectMaximumDelay: Duration = .seconds(5)
    /// How many distinct statements each connection keeps prepared. Default 256.
    public var statementCacheCapacity = 256
    /// Further libpq connection parameters (e.g. `sslrootcert`, `target_session_attrs`), passed as given.
    public var extraParameters: [String: String] = [:]

    /// Creates a configuration; see the properties for defaults.
    public init(
        host: String? = nil, port: Int = 5432, user: String? = nil, password: String? = nil,
        database: String? = nil, sslMode: SSLMode = .prefer
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// The libpq keyword/value pairs for `PQconnectdbParams`. Every session runs in UTC with ISO dates.
    func libpqParameters() -> [(String, String)] {
        var parameters: [(String, String)] = []
        if let host { parameters.append(("host", host)) }
        parameters.append(("port", String(port)))
        if let user { parameters.append(("user", user)) }
        if let password { parameters.append(("password", password)) }
        if let database { parameters.append(("dbname", database)) }
        parameters.append(("sslmode", sslMode.rawValue))
        parameters.append(("application_name", applicationName))
        parameters.append(("connect_timeout", String(max(2, Int(connectTimeout.components.seconds)))))
        parameters.append(("client_encoding", "UTF8"))
        parameters.append(("keepalives", "1"))
        parameters.append(("keepalives_idle", "30"))
        parameters.append(("keepalives_interval", "10"))
        parameters.append(("keepalives_count", "3"))
        var options = "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 -c bytea_output=hex"
        for (key, value) in extraParameters.sorted(by: { $0.key < $1.key }) {
            if key == "options" {
                options += " " + value
            } else {
                parameters.append((key, value))
            }
        }
        parameters.append(("options", options))
        return parameters
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    /// The connection target without the password, e.g. `postgres://agentry:***@db:5432/agentry`.
    public var description: String {
        var text = "postgres://"
        if let user { text += user + (password == nil ? "" : ":***") + "@" }
        text += host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? ""
        text += ":\(port)/\(database ?? "")"
        return text
    }
}
