@testable import AgentryBrowserWorker
import Foundation
import Testing

@Suite struct BrowserStaleDirectoryTests {
    @Test func onlyDirectoriesOfGoneWorkersAreRemoved() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-sweep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let gone = try Self.pidOfAnExitedProcess()
        let names = [
            "agentry-browser-\(gone)-AbC123",          // its worker is gone: removed
            "agentry-browser-\(getpid())-XyZ789",      // this process: kept
            "agentry-browser-1-Init00",                // a live process: kept
            "agentry-browser-Legacy",                  // no owner in the name: kept
            "other-\(gone)-dir",                       // not ours: kept
        ]
        for name in names {
            try FileManager.default.createDirectory(atPath: parent + "/" + name + "/profile", withIntermediateDirectories: true)
        }
        #expect(ChromiumProcess.removeStaleDirectories(in: parent) == [names[0]])
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == names.dropFirst().sorted())
    }

    /// The id of a child process that has exited and been reaped.
    private static func pidOfAnExitedProcess() throws -> pid_t {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        guard posix_spawn(&pid, "/bin/true", nil, nil, &argv, environ) == 0 else { throw BrowserTestError("cannot run /bin/true") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return pid
    }
}
