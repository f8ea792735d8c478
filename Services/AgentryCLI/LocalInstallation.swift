import AgentryContracts
import Foundation

/// The files of a local Agentry: the checkout (for `scripts/stack`), the service executables and
/// the run directory:
///
/// ```
/// <checkout>/.agentry/run/logs/<service>.log     each service's output (JSON lines)
/// <checkout>/.agentry/run/pids/<service>.pid     each service's pid
/// <checkout>/.agentry/run/secrets/               generated secrets (mode 0600)
/// <checkout>/.agentry/run/services.json          ports and API URL of the last `agentry up`
/// <checkout>/.agentry/demo/                      files the demo writes
/// ```
struct LocalInstallation: Sendable, Equatable {
    /// The checkout's root directory.
    let root: String
    /// `scripts/stack`.
    let stackScript: String
    /// The run directory.
    let runDirectory: String
    /// Where `agentry-ingest` and the other executables are.
    let binDirectory: String

    var logDirectory: String { runDirectory + "/logs" }
    var pidDirectory: String { runDirectory + "/pids" }
    var secretDirectory: String { runDirectory + "/secrets" }
    var stateFile: String { runDirectory + "/services.json" }
    var demoDirectory: String { root + "/.agentry/demo" }
    /// The Slack signing secret the ingest gateway verifies and the demo signs with.
    var slackSigningSecretFile: String { secretDirectory + "/slack-signing-secret" }
    var emailTokenFile: String { secretDirectory + "/email-token" }

    func logFile(_ service: ServiceDefinition) -> String { "\(logDirectory)/\(service.name).log" }
    func pidFile(_ service: ServiceDefinition) -> String { "\(pidDirectory)/\(service.name).pid" }
    func executable(_ service: ServiceDefinition) -> String { "\(binDirectory)/\(service.executable)" }

    /// Finds the installation: `--stack-script` if given, else the checkout that holds the running
    /// `agentry` binary, else the one around the current directory.
    static func locate(_ options: LocalOptions, fileManager: FileManager = .default) throws -> LocalInstallation {
        let binary = currentExecutableDirectory()
        let root: String
        if let script = options.stackScript {
            let path = absolute(script)
            guard fileManager.isExecutableFile(atPath: path) || fileManager.fileExists(atPath: path) else {
                throw CLIError("--stack-script \(path) does not exist")
            }
            root = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        } else if let found = findCheckout(from: binary, fileManager: fileManager)
                    ?? findCheckout(from: fileManager.currentDirectoryPath, fileManager: fileManager) {
            root = found
        } else {
            throw CLIError("""
                cannot find the Agentry checkout (a directory with Package.swift and scripts/stack) from \
                \(binary) or the current directory; run agentry from inside it or pass --stack-script
                """)
        }
        let stackScript = options.stackScript.map(absolute) ?? root + "/scripts/stack"
        return LocalInstallation(
            root: root, stackScript: stackScript,
            runDirectory: options.runDirectory.map(absolute) ?? root + "/.agentry/run",
            binDirectory: options.binDirectory.map(absolute) ?? binary)
    }

    /// The nearest directory at or above `start` that holds `Package.swift` and `scripts/stack`.
    static func findCheckout(from start: String, fileManager: FileManager = .default) -> String? {
        var directory = URL(fileURLWithPath: start).standardizedFileURL
        while true {
            if fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               fileManager.fileExists(atPath: directory.appendingPathComponent("scripts/stack").path) {
                return directory.path
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    /// The directory of the running executable (its links resolved).
    static func currentExecutableDirectory() -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first.map(absolute) ?? FileManager.default.currentDirectoryPath
        return (path as NSString).deletingLastPathComponent
    }

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// Creates the run directory and its subdirectories.
    func createDirectories() throws {
        for directory in [runDirectory, logDirectory, pidDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(
            atPath: secretDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// The pid recorded for `service`, if that process still runs and was started for this run directory.
    func runningPid(_ service: ServiceDefinition) -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile(service), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              ProcessTable.isOurs(pid, runDirectory: runDirectory)
        else { return nil }
        return pid
    }

    /// The Slack signing secret, generated (32 random bytes, hex) and stored with mode 0600 on first use.
    func slackSigningSecret() throws -> String { try secret(at: slackSigningSecretFile) }

    /// The inbound email token, generated and stored like the Slack signing secret.
    func emailToken() throws -> String { try secret(at: emailTokenFile) }

    /// The secret written by `agentry up`, for the demo.
    func existingSlackSigningSecret() throws -> String { try existingSecret(at: slackSigningSecretFile, "Slack signing secret") }

    /// The email token written by `agentry up`, for the demo.
    func existingEmailToken() throws -> String { try existingSecret(at: emailTokenFile, "inbound email token") }

    /// The secret in `path`, or a new one (32 random bytes, hex) written there with mode 0600.
    private func secret(at path: String) throws -> String {
        if let existing = storedSecret(at: path) { return existing }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
        try FileManager.default.createDirectory(
            atPath: secretDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(
            atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(path)") }
        return secret
    }

    private func existingSecret(at path: String, _ what: String) throws -> String {
        guard let secret = storedSecret(at: path) else { throw CLIError("no \(what) at \(path): run `agentry up` first") }
        return secret
    }

    /// The secret stored in `path` (trimmed), or nil when the file is missing or blank.
    private func storedSecret(at path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return secret.isEmpty ? nil : secret
    }
}
