import AgentryServiceKit
import ArgumentParser
import Foundation

/// Where the ingest API is: `--api-url`, else `AGENTRY_API_URL`, else (for the commands that run
/// Agentry locally) the URL of the last `agentry up`, else `http://127.0.0.1:8080`.
struct APIOptions: ParsableArguments {
    /// The default when nothing else says.
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(name: .customLong("api-url"), help: "The ingest API (default: $AGENTRY_API_URL or \(defaultURL)).")
    var apiURL: String?

    /// The URL given by the flag or the environment, if any.
    var explicitURL: String? {
        apiURL ?? Self.environmentURL(ProcessInfo.processInfo.environment)
    }

    /// The URL to use: the flag, the environment, `local` (the last `agentry up`), the default.
    func url(local: LocalRunState? = nil) -> String {
        explicitURL ?? local?.apiURL ?? Self.defaultURL
    }

    /// `AGENTRY_API_URL` from `environment`, if set.
    static func environmentURL(_ environment: [String: String]) -> String? {
        guard let value = environment["AGENTRY_API_URL"], !value.isEmpty else { return nil }
        return value
    }

    /// The URL from `environment`, or the default.
    static func environmentDefault(_ environment: [String: String]) -> String {
        environmentURL(environment) ?? defaultURL
    }

    func validate() throws {
        let url = self.url()
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else { throw ValidationError("--api-url must be an http:// or https:// URL, got \"\(url)\"") }
    }

    /// A client of the API at ``url(local:)``.
    func client(local: LocalRunState? = nil) -> AgentryAPIClient { AgentryAPIClient(baseURL: url(local: local)) }
}

/// Which database: `--database-url`, else `AGENTRY_DATABASE_URL` (or the file named by
/// `AGENTRY_DATABASE_URL_FILE`, as in the services' containers), else the local stack's.
struct DatabaseOptions: ParsableArguments {
    /// The local stack's database (`scripts/stack`).
    static let defaultURL = "postgres://agentry:agentry@127.0.0.1:55432/agentry"

    @Option(name: .customLong("database-url"),
            help: "The database (default: $AGENTRY_DATABASE_URL, the file named by $AGENTRY_DATABASE_URL_FILE, or the local stack's).")
    var givenURL: String?

    /// The URL to use.
    var databaseURL: String {
        get throws { try givenURL ?? Self.environmentDefault(ProcessInfo.processInfo.environment) }
    }

    /// The URL `environment` gives, or the local stack's.
    ///
    /// - Throws: ``ConfigurationError`` when both variables are set or the file cannot be read.
    static func environmentDefault(_ environment: [String: String]) throws -> String {
        try ConfigurationReader(environment: environment).string("AGENTRY_DATABASE_URL") ?? defaultURL
    }
}
