import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the integration tests find the real broker and database started by `scripts/test`.
///
/// `scripts/test` exports `AGENTRY_TEST_AMQP_URL`, `AGENTRY_TEST_DATABASE_URL` and
/// `AGENTRY_REQUIRE_STACK=1`. When the stack is required, integration suites run and fail if a
/// URL is missing; when it is not (a bare `swift test`), they are skipped.
///
/// ```swift
/// @Suite(.enabled(if: TestStack.isEnabled, "needs scripts/test's broker and database"))
/// struct BusIntegrationTests { ... }
/// ```
public enum TestStack {
    /// Errors raised when a required stack setting is missing.
    public struct MissingSetting: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: run the tests through scripts/test, which starts the broker and database"
        }
    }

    /// True when the test command said the stack is required (`AGENTRY_REQUIRE_STACK=1`).
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["AGENTRY_REQUIRE_STACK"] == "1"
    }

    /// True when integration suites should run: the stack is required, or its URLs are present.
    public static var isEnabled: Bool {
        isRequired || ProcessInfo.processInfo.environment["AGENTRY_TEST_AMQP_URL"] != nil
    }

    /// The broker URL (`amqp://user:pass@host:port/vhost`).
    public static func amqpURL() throws -> String { try value("AGENTRY_TEST_AMQP_URL") }

    /// The database URL (`postgres://user:pass@host:port/db`).
    public static func databaseURL() throws -> String { try value("AGENTRY_TEST_DATABASE_URL") }

    /// Absolute path of `scripts/stack`, for tests that restart the broker or the database.
    public static func stackScript() throws -> String { try value("AGENTRY_STACK_SCRIPT") }

    /// Runs `scripts/stack <arguments>` and throws if it exits non-zero. The child is spawned and
    /// reaped on a dedicated thread, so the cooperative pool never blocks on it.
    public static func runStackScript(_ arguments: String...) async throws {
        let argv = ["/bin/bash", try stackScript()] + arguments
        let status = await runProcess(argv)
        guard status == 0 else { throw StackCommandFailed(arguments: arguments, status: status) }
    }

    /// Spawns `argv` (inheriting the environment and standard streams) and returns its exit status.
    public static func runProcess(_ argv: [String]) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var pid: pid_t = 0
                var cArguments = argv.map { strdup($0) } + [nil]
                defer { for pointer in cArguments { free(pointer) } }
                let spawned = posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ)
                guard spawned == 0 else {
                    continuation.resume(returning: -1)
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let exited = status & 0x7f == 0
                continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
            thread.start()
        }
    }

    /// A `scripts/stack` invocation that failed.
    public struct StackCommandFailed: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        public var description: String { "scripts/stack \(arguments.joined(separator: " ")) exited \(status)" }
    }

    private static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw MissingSetting(variable: name)
        }
        return value
    }
}
