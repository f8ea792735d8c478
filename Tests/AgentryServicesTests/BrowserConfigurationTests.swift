@testable import AgentryBrowserWorker
import AgentryServiceKit
import Foundation
import Testing

@Suite struct BrowserConfigurationTests {
    /// A directory with an executable `chromium` script, a non-executable `google-chrome` and a
    /// `chromium-browser` directory.
    private static func withFakeBin<T>(_ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-bin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = Data("#!/bin/sh\n".utf8)
        let created = [
            FileManager.default.createFile(atPath: directory + "/chromium", contents: script, attributes: [.posixPermissions: 0o755]),
            FileManager.default.createFile(atPath: directory + "/google-chrome", contents: script, attributes: [.posixPermissions: 0o644]),
        ]
        guard created.allSatisfy({ $0 }) else { throw BrowserTestError("cannot create the fake executables") }
        try FileManager.default.createDirectory(atPath: directory + "/chromium-browser", withIntermediateDirectories: false)
        return try body(directory)
    }

    @Test func findsTheFirstExecutableCandidateOnThePath() throws {
        try Self.withFakeBin { bin in
            #expect(ChromiumLocator.locate(searchPath: "/nonexistent:\(bin)") == bin + "/chromium")
            // A directory and a file without the execute bit are not executables.
            #expect(ChromiumLocator.locate(["chromium-browser", "google-chrome"], searchPath: bin) == nil)
            #expect(ChromiumLocator.locate([bin + "/chromium"], searchPath: "") == bin + "/chromium")
            #expect(ChromiumLocator.locate(["chromium"], searchPath: "/nonexistent") == nil)
        }
    }

    @Test func readsDefaultsAndEveryVariable() throws {
        try Self.withFakeBin { bin in
            let defaults = try BrowserConfiguration(environment: ["PATH": bin])
            #expect(defaults == BrowserConfiguration(chromiumPath: bin + "/chromium"))
            #expect(defaults.maxPages == 4)
            #expect(defaults.allowedHosts.allowsAnyHost)
            #expect(defaults.maxTextCharacters == 100_000)
            #expect(defaults.startTimeout == .seconds(30))

            let configured = try BrowserConfiguration(environment: [
                "PATH": "/nonexistent",
                "AGENTRY_CHROMIUM_PATH": bin + "/chromium",
                "AGENTRY_BROWSER_MAX_PAGES": "2",
                "AGENTRY_BROWSER_ALLOWED_HOSTS": "example.com, *.example.org",
                "AGENTRY_BROWSER_MAX_TEXT_CHARS": "500",
                "AGENTRY_BROWSER_START_TIMEOUT_SECONDS": "5",
            ])
            #expect(configured.chromiumPath == bin + "/chromium")
            #expect(configured.maxPages == 2)
            #expect(configured.allowedHosts == (try HostAllowList(parsing: "*.example.org example.com")))
            #expect(configured.maxTextCharacters == 500)
            #expect(configured.startTimeout == .seconds(5))

            // A bare name is looked up on PATH.
            let byName = try BrowserConfiguration(environment: ["PATH": bin, "AGENTRY_CHROMIUM_PATH": "chromium"])
            #expect(byName.chromiumPath == bin + "/chromium")
        }
    }

    @Test(arguments: [
        ("AGENTRY_CHROMIUM_PATH", "/nonexistent/chromium"),
        ("AGENTRY_BROWSER_MAX_PAGES", "0"),
        ("AGENTRY_BROWSER_MAX_PAGES", "many"),
        ("AGENTRY_BROWSER_ALLOWED_HOSTS", "https://example.com"),
        ("AGENTRY_BROWSER_MAX_TEXT_CHARS", "0"),
        ("AGENTRY_BROWSER_START_TIMEOUT_SECONDS", "601"),
    ])
    func rejectsInvalidValuesNamingTheVariable(_ key: String, _ value: String) throws {
        try Self.withFakeBin { bin in
            let error = #expect(throws: ConfigurationError.self) {
                try BrowserConfiguration(environment: ["PATH": bin, key: value])
            }
            #expect(error?.key == key)
        }
    }

    @Test func aMissingChromiumSaysHowToFixIt() {
        let error = #expect(throws: ConfigurationError.self) {
            try BrowserConfiguration(environment: ["PATH": "/nonexistent"])
        }
        #expect(error?.key == "AGENTRY_CHROMIUM_PATH")
        #expect(error?.reason.contains("chromium") == true)
    }

    @Test func theCommandLineUsesThePipeAndAPrivateProfile() {
        let user = ChromiumCommandLine.arguments(profileDirectory: "/tmp/p", runningAsRoot: false)
        #expect(user == [
            "--headless=new", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
            "--disable-gpu", "--user-data-dir=/tmp/p",
        ])
        let root = ChromiumCommandLine.arguments(profileDirectory: "/tmp/p", runningAsRoot: true)
        #expect(root == user + ["--no-sandbox"])
        let environment = ChromiumCommandLine.environment(from: [
            "PATH": "/usr/bin", "HOME": "/root", "AGENTRY_DATABASE_URL": "postgres://u:secret@db/x", "AGENTRY_AMQP_URL_FILE": "/run/s",
        ])
        #expect(environment == ["PATH": "/usr/bin", "HOME": "/root"])
    }

    @Test(arguments: [
        ("example.com", "example.com", true),
        ("example.com", "EXAMPLE.com.", true),
        ("example.com", "www.example.com", false),
        ("*.example.com", "www.example.com", true),
        ("*.example.com", "a.b.example.com", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "badexample.com", false),
        ("example.com, *.example.com", "example.com", true),
        ("127.0.0.1", "127.0.0.1", true),
        ("127.0.0.1", "127.0.0.2", false),
        ("[::1]", "[::1]", true),
        ("[::1]", "::1", true),
        ("", "anything.example", true),
        ("example.com", "", false),
    ])
    func theAllowListMatchesHosts(_ list: String, _ host: String, _ allowed: Bool) throws {
        #expect(try HostAllowList(parsing: list).permits(host: host) == allowed)
    }

    @Test(arguments: ["https://example.com", "example.com:8080", "example.com/path", "*", "ex*ample.com", "*.", "[zz]", "..", "a..b"])
    func theAllowListRejectsEntriesThatAreNotHosts(_ entry: String) {
        let error = #expect(throws: ConfigurationError.self) { try HostAllowList(parsing: "good.example \(entry)") }
        #expect(error?.key == "AGENTRY_BROWSER_ALLOWED_HOSTS")
    }
}
