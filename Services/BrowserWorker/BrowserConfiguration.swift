import AgentryServiceKit
import Foundation

/// The browser worker's own settings (documented in docs/configuration.md, "Browser worker").
///
/// ```swift
/// let configuration = try BrowserConfiguration(environment: ProcessInfo.processInfo.environment)
/// ```
struct BrowserConfiguration: Sendable, Equatable {
    /// The Chromium executable. `AGENTRY_CHROMIUM_PATH` (a path, or a name looked up on `PATH`);
    /// default: the first of `chromium`, `chromium-browser`, `google-chrome` on `PATH`.
    var chromiumPath: String
    /// Pages open at once; more requests wait for a free one. Also caps how many work items the
    /// worker takes from the broker at a time. `AGENTRY_BROWSER_MAX_PAGES`; default `4`; 1...64.
    var maxPages: Int
    /// Hosts pages may be opened on; empty allows every host. `AGENTRY_BROWSER_ALLOWED_HOSTS`;
    /// default empty.
    var allowedHosts: HostAllowList
    /// The most characters of text a page returns; longer text is cut and marked truncated.
    /// `AGENTRY_BROWSER_MAX_TEXT_CHARS`; default `100000`; 1...10000000.
    var maxTextCharacters: Int
    /// How long Chromium has to start and answer. `AGENTRY_BROWSER_START_TIMEOUT_SECONDS`;
    /// default `30`; 1...600.
    var startTimeout: Duration

    /// Creates a configuration from explicit values (tests).
    init(
        chromiumPath: String,
        maxPages: Int = 4,
        allowedHosts: HostAllowList = HostAllowList(),
        maxTextCharacters: Int = 100_000,
        startTimeout: Duration = .seconds(30)
    ) {
        self.chromiumPath = chromiumPath
        self.maxPages = maxPages
        self.allowedHosts = allowedHosts
        self.maxTextCharacters = maxTextCharacters
        self.startTimeout = startTimeout
    }

    /// Reads the settings from environment variables (and `<NAME>_FILE` files).
    ///
    /// - Throws: ``ConfigurationError`` naming the variable that is invalid, or
    ///   `AGENTRY_CHROMIUM_PATH` when no Chromium executable can be found.
    init(environment: [String: String]) throws(ConfigurationError) {
        let reader = ConfigurationReader(environment: environment)
        let searchPath = environment["PATH"]
        let chromiumPath: String
        if let configured = try reader.string("AGENTRY_CHROMIUM_PATH") {
            guard let found = ChromiumLocator.locate([configured], searchPath: searchPath) else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_CHROMIUM_PATH",
                    reason: "\"\(configured)\" is not an executable file (nor a program on PATH)")
            }
            chromiumPath = found
        } else {
            guard let found = ChromiumLocator.locate(searchPath: searchPath) else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_CHROMIUM_PATH",
                    reason: "no Chromium found on PATH (looked for \(ChromiumLocator.candidates.joined(separator: ", "))); "
                        + "install Debian's chromium package or set AGENTRY_CHROMIUM_PATH")
            }
            chromiumPath = found
        }
        self.init(
            chromiumPath: chromiumPath,
            maxPages: try reader.integer("AGENTRY_BROWSER_MAX_PAGES", default: 4, in: 1...64),
            allowedHosts: try HostAllowList(parsing: reader.string(HostAllowList.variable, default: "")),
            maxTextCharacters: try reader.integer("AGENTRY_BROWSER_MAX_TEXT_CHARS", default: 100_000, in: 1...10_000_000),
            startTimeout: .seconds(try reader.integer("AGENTRY_BROWSER_START_TIMEOUT_SECONDS", default: 30, in: 1...600))
        )
    }
}
