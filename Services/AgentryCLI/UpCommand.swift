import AgentryStore
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `agentry up`: the local stack, the migrations, the demo data source and every service.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start Agentry locally: the broker and database, then every service in the background.",
        discussion: """
            Runs `scripts/stack up`, applies the migrations, creates the demo data source (database \
            agentry_demo with an incidents table) if missing, generates a Slack signing secret for the \
            ingest gateway (.agentry/run/secrets), then starts each service executable found next to \
            agentry in its own session, logging to .agentry/run/logs/<service>.log, and waits until every \
            /readyz answers 200. Services already running are left alone. Stop everything with `agentry down`.
            """)

    @OptionGroup var local: LocalOptions
    @OptionGroup var api: APIOptions

    @Option(name: .customLong("ops-port"), help: "The first operations port: ingest gets it, the notifier it + 8.")
    var opsPortBase: Int = ServiceCatalog.defaultOpsPortBase

    @Option(help: "Seconds to wait for every service to be ready.")
    var timeout: Int = 180

    @Flag(name: .customLong("skip-stack"), help: "Do not run scripts/stack up (the broker and database already run).")
    var skipStack = false

    func validate() throws {
        guard (1...65_000).contains(opsPortBase) else { throw ValidationError("--ops-port must be a port number") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let installation = try LocalInstallation.locate(local)
        let missing = ServiceCatalog.all.map(installation.executable)
            .filter { !FileManager.default.isExecutableFile(atPath: $0) }
        guard missing.isEmpty else {
            throw CLIError("""
                not found: \(missing.joined(separator: ", ")); build the services first \
                (swift build -c release) or pass --bin-dir
                """)
        }
        try installation.createDirectories()
        if let previous = LocalRunState.load(installation.stateFile),
           previous.opsPortBase != opsPortBase || previous.apiURL != api.url(),
           let running = ServiceCatalog.all.first(where: { installation.runningPid($0) != nil }) {
            throw CLIError("""
                \(running.name) and maybe others still run from an earlier `agentry up` with API \(previous.apiURL) \
                and operations ports from \(previous.opsPortBase); run `agentry down` first, or use those settings
                """)
        }
        let stack = StackScript(path: installation.stackScript)
        if !skipStack {
            Console.note("agentry: starting the broker and the database (\(installation.stackScript) up)")
            try await stack.up()
        }
        let urls = try await stack.urls()

        let client = try PostgresClient(url: urls.database, poolSize: 1, applicationName: "agentry-up")
        do {
            let applied = try await Migrator(client: client).migrate()
            await client.close()
            Console.note(applied.isEmpty
                ? "agentry: database schema is up to date"
                : "agentry: applied migrations \(applied.map { "\($0.version) \($0.name)" }.joined(separator: ", "))")
        } catch {
            await client.close()
            throw error
        }
        let demo = try await DemoDataSource.prepare(databaseURL: urls.database)
        Console.note("agentry: demo data source \(DemoDataSource.databaseName) has \(demo.incidents) incidents")
        _ = try installation.slackSigningSecret()
        _ = try installation.emailToken()

        let apiURL = api.url()
        let endpoint = try APIEndpoint(apiURL)
        let state = LocalRunState(
            apiURL: apiURL, opsPortBase: opsPortBase, amqpURL: urls.amqp, databaseURL: urls.database)
        try state.save(installation.stateFile)

        var started: [ServiceDefinition: pid_t] = [:]
        var rows: [(ServiceDefinition, pid_t, String)] = []
        for service in ServiceCatalog.all {
            if let pid = installation.runningPid(service) {
                rows.append((service, pid, "already running"))
                continue
            }
            let executable = installation.executable(service)
            let environment = Self.serviceEnvironment(
                for: service, base: ProcessInfo.processInfo.environment, state: state, endpoint: endpoint,
                demoDatabaseURL: demo.url, installation: installation)
            let pid = try Subprocess.spawnDetached(
                executable: executable, environment: environment, logPath: installation.logFile(service))
            try "\(pid)\n".write(toFile: installation.pidFile(service), atomically: true, encoding: .utf8)
            started[service] = pid
            rows.append((service, pid, "started"))
        }
        Console.note("agentry: started \(started.count) service\(started.count == 1 ? "" : "s"); waiting until all are ready")

        let failures = try await waitUntilReady(rows.map { ($0.0, $0.1) }, started: started, state: state,
                                                installation: installation)
        var table = CLITable(["SERVICE", "PID", "OPS PORT", "STATUS", "LOG"])
        for (service, pid, note) in rows {
            let status = failures[service] ?? (note == "already running" ? "ready (already running)" : "ready")
            table.append([service.name, String(pid), String(state.opsPort(service)), status,
                          Self.relative(installation.logFile(service), to: installation.root)])
        }
        table.maximumCellWidth = 80
        print(table.render())
        print("")
        print("API: \(apiURL)")
        guard failures.isEmpty else {
            for service in failures.keys.sorted(by: { $0.portOffset < $1.portOffset }) {
                Console.note("--- last lines of \(installation.logFile(service)) ---")
                Console.note(Self.tail(of: installation.logFile(service), lines: 15))
            }
            throw CLIError("not every service became ready (see the logs above); stop everything with `agentry down`")
        }
        print("Stop everything with: agentry down")
    }

    /// Polls every service's `/readyz` until all answer 200 or the timeout passes; returns the
    /// services that did not get ready, with why.
    private func waitUntilReady(
        _ services: [(ServiceDefinition, pid_t)], started: [ServiceDefinition: pid_t], state: LocalRunState,
        installation: LocalInstallation
    ) async throws -> [ServiceDefinition: String] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(timeout))
        var waiting = Dictionary(uniqueKeysWithValues: services.map { ($0.0, $0.1) })
        var failures: [ServiceDefinition: String] = [:]
        while !waiting.isEmpty {
            for (service, pid) in waiting {
                if started[service] != nil, let status = Subprocess.exitStatusIfEnded(pid) {
                    failures[service] = "exited with status \(status)"
                    waiting[service] = nil
                    continue
                }
                if await ReadinessProbe.check(port: state.opsPort(service)) == .ready { waiting[service] = nil }
            }
            if waiting.isEmpty { break }
            if clock.now >= deadline {
                for (service, _) in waiting {
                    let last = await ReadinessProbe.check(port: state.opsPort(service))
                    failures[service] = "\(ReadinessProbe.describe(last)) after \(timeout) s"
                }
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return failures
    }

    /// The environment of a service: this process's, without any `_FILE` twin of the variables set
    /// here, plus the stack's URLs, JSON logs, its ports, the demo data source and the run marker.
    static func serviceEnvironment(
        for service: ServiceDefinition, base: [String: String], state: LocalRunState, endpoint: APIEndpoint,
        demoDatabaseURL: String, installation: LocalInstallation
    ) -> [String: String] {
        var settings: [String: String] = [
            "AGENTRY_AMQP_URL": state.amqpURL,
            "AGENTRY_DATABASE_URL": state.databaseURL,
            "AGENTRY_DATA_SOURCES": "default=\(demoDatabaseURL)",
            "AGENTRY_LOG_FORMAT": "json",
            "AGENTRY_SERVICE_NAME": service.name,
            "AGENTRY_HTTP_HOST": "127.0.0.1",
            "AGENTRY_HTTP_PORT": String(state.opsPort(service)),
            ProcessTable.ownerVariable: installation.runDirectory,
        ]
        var removed: Set<String> = []
        if service.name == "ingest" {
            settings["AGENTRY_API_HOST"] = endpoint.host
            settings["AGENTRY_API_PORT"] = String(endpoint.port)
            settings["AGENTRY_SLACK_SIGNING_SECRET_FILE"] = installation.slackSigningSecretFile
            removed.insert("AGENTRY_SLACK_SIGNING_SECRET")
            settings["AGENTRY_EMAIL_TOKEN_FILE"] = installation.emailTokenFile
            removed.insert("AGENTRY_EMAIL_TOKEN")
            // A local installation listens on loopback only: no API keys unless asked for.
            settings["AGENTRY_API_AUTH"] = base["AGENTRY_API_AUTH"] ?? "none"
        }
        var environment = base
        for key in settings.keys { environment[key + "_FILE"] = nil }
        for key in removed { environment[key] = nil }
        for (key, value) in settings { environment[key] = value }
        return environment
    }

    static func relative(_ path: String, to root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// The last `lines` lines of a file.
    static func tail(of path: String, lines: Int) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The host and port of the API URL, for the ingest gateway's listener.
struct APIEndpoint: Sendable, Equatable {
    let host: String
    let port: Int

    init(_ url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw CLIError("--api-url \(url) has no host")
        }
        self.host = host
        self.port = components.port ?? (components.scheme == "https" ? 443 : 80)
    }
}
