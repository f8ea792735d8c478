import AgentryServiceKit
import Foundation

/// The code worker's own settings, read once at start-up (each variable may also be given as
/// `<NAME>_FILE`; see docs/configuration.md).
///
/// ```swift
/// let configuration = try CodeWorkerConfiguration(environment: ProcessInfo.processInfo.environment)
/// ```
struct CodeWorkerConfiguration: Sendable, Equatable {
    /// The longest any script may run, whatever its step asks for.
    /// `AGENTRY_CODE_MAX_TIMEOUT_SECONDS`; default 600, 1–86400.
    var maxTimeoutSeconds: Int
    /// The most bytes kept of a script's standard output, and of its standard error; a step's
    /// `limits.maxOutputBytes` may only lower it. `AGENTRY_CODE_MAX_OUTPUT_BYTES`; default 65536, 1–67108864.
    var maxOutputBytes: Int
    /// The shell that runs `shell.run` scripts (`<shell> -c <script>`), an absolute path.
    /// `AGENTRY_CODE_SHELL`; default `/bin/sh`.
    var shell: String
    /// The interpreter that runs `python.run` code: an absolute path, or a name looked up in
    /// ``searchPath``. `AGENTRY_CODE_PYTHON`; default `python3`.
    var python: String
    /// `PATH` of every script. `AGENTRY_CODE_PATH`; default `/usr/local/bin:/usr/bin:/bin`.
    var searchPath: String
    /// `LANG` of every script. `AGENTRY_CODE_LANG`; default `C.UTF-8`.
    var locale: String
    /// Where each script's private working directory is created.
    /// `AGENTRY_CODE_WORK_DIR`; default `$TMPDIR`, else `/tmp`.
    var workRoot: String

    /// Creates a configuration from explicit values (tests).
    init(
        maxTimeoutSeconds: Int = 600, maxOutputBytes: Int = 65_536, shell: String = "/bin/sh",
        python: String = "python3", searchPath: String = "/usr/local/bin:/usr/bin:/bin", locale: String = "C.UTF-8",
        workRoot: String = "/tmp"
    ) {
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.maxOutputBytes = maxOutputBytes
        self.shell = shell
        self.python = python
        self.searchPath = searchPath
        self.locale = locale
        self.workRoot = workRoot
    }

    /// Reads the configuration from `environment`.
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable.
    init(environment: [String: String]) throws(ConfigurationError) {
        let reader = ConfigurationReader(environment: environment)
        maxTimeoutSeconds = try reader.integer("AGENTRY_CODE_MAX_TIMEOUT_SECONDS", default: 600, in: 1...86_400)
        maxOutputBytes = try reader.integer("AGENTRY_CODE_MAX_OUTPUT_BYTES", default: 65_536, in: 1...67_108_864)
        shell = try reader.string("AGENTRY_CODE_SHELL", default: "/bin/sh")
        guard shell.hasPrefix("/") else {
            throw ConfigurationError(.invalidValue, key: "AGENTRY_CODE_SHELL", reason: "must be an absolute path")
        }
        python = try reader.string("AGENTRY_CODE_PYTHON", default: "python3")
        searchPath = try reader.string("AGENTRY_CODE_PATH", default: "/usr/local/bin:/usr/bin:/bin")
        locale = try reader.string("AGENTRY_CODE_LANG", default: "C.UTF-8")
        let temporary = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        workRoot = try reader.string("AGENTRY_CODE_WORK_DIR", default: temporary)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: workRoot, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: workRoot)
        else {
            throw ConfigurationError(
                .invalidValue, key: "AGENTRY_CODE_WORK_DIR", reason: "\(workRoot) is not a writable directory")
        }
    }

    /// The Python interpreter's absolute path: ``python`` itself when it contains a `/`, else the
    /// first executable of that name in ``searchPath``; nil when there is none.
    func resolvedPython() -> String? {
        if python.contains("/") { return access(python, X_OK) == 0 ? python : nil }
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(python)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
