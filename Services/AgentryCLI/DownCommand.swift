import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `agentry down`: stops the services `agentry up` started, then the stack.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every service started by `agentry up` (SIGTERM, then SIGKILL after a grace period), then the stack.")

    @OptionGroup var local: LocalOptions

    @Flag(name: .customLong("keep-stack"), help: "Leave the broker and the database running.")
    var keepStack = false

    @Option(help: "Seconds a service has to stop after SIGTERM before it is killed.")
    var grace: Int = 30

    func validate() throws {
        guard grace >= 0 else { throw ValidationError("--grace must not be negative") }
    }

    func run() async throws {
        let installation = try LocalInstallation.locate(local)
        var running: [(ServiceDefinition, pid_t)] = []
        for service in ServiceCatalog.all {
            if let pid = installation.runningPid(service) {
                ProcessTable.signal(pid, SIGTERM)
                running.append((service, pid))
            } else if FileManager.default.fileExists(atPath: installation.pidFile(service)) {
                try? FileManager.default.removeItem(atPath: installation.pidFile(service))
            }
        }
        if running.isEmpty {
            Console.note("agentry: no services running")
        } else {
            Console.note("agentry: stopping \(running.map(\.0.name).joined(separator: ", "))")
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(grace))
        var remaining = running
        while !remaining.isEmpty && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            remaining.removeAll { !ProcessTable.isAlive($0.1) }
        }
        for (service, pid) in remaining {
            Console.note("agentry: \(service.name) (pid \(pid)) did not stop within \(grace) s; killing it")
            ProcessTable.signalGroup(pid, SIGKILL)
            ProcessTable.signal(pid, SIGKILL)
        }
        let killDeadline = clock.now.advanced(by: .seconds(5))
        while remaining.contains(where: { ProcessTable.isAlive($0.1) }) && clock.now < killDeadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        for (service, pid) in running {
            try? FileManager.default.removeItem(atPath: installation.pidFile(service))
            let how = remaining.contains { $0.1 == pid } ? "killed" : "stopped"
            print("\(how) \(service.name) (pid \(pid))")
        }
        if keepStack { return }
        Console.note("agentry: stopping the broker and the database (\(installation.stackScript) down)")
        try await StackScript(path: installation.stackScript).down()
    }
}
