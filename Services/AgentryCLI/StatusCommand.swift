import ArgumentParser
import Foundation

/// `agentry status`: what runs, and whether it is ready.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the stack and every service: pid, operations port, readiness. Exits 0 only if all are ready.")

    @OptionGroup var local: LocalOptions

    func run() async throws {
        let installation = try LocalInstallation.locate(local)
        let state = LocalRunState.load(installation.stateFile)
        let opsPortBase = state?.opsPortBase ?? ServiceCatalog.defaultOpsPortBase
        let stack = try await StackScript(path: installation.stackScript).status()
        print(stack.report.trimmingCharacters(in: .whitespacesAndNewlines))
        print("")
        var allReady = stack.running
        var table = CLITable(["SERVICE", "PID", "OPS PORT", "STATUS"])
        for service in ServiceCatalog.all {
            let port = opsPortBase + service.portOffset
            guard let pid = installation.runningPid(service) else {
                allReady = false
                table.append([service.name, "-", String(port), "stopped"])
                continue
            }
            let readiness = await ReadinessProbe.check(port: port)
            if readiness != .ready { allReady = false }
            table.append([service.name, String(pid), String(port), ReadinessProbe.describe(readiness)])
        }
        print(table.render())
        if let state {
            print("")
            print("API: \(state.apiURL)")
        }
        if !allReady { throw ExitCode(1) }
    }
}
