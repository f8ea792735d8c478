import Foundation
import Synchronization

/// Where log lines go: standard output in production, memory in tests.
///
/// ```swift
/// let lines = Mutex<[String]>([])
/// let output = LogOutput { line in lines.withLock { $0.append(line) } }
/// let logger = Logger(label: "test") { AgentryLogHandler(label: $0, output: output) }
/// ```
public struct LogOutput: Sendable {
    private let writeLine: @Sendable (String) -> Void

    /// Creates an output that hands each line (without its newline) to `writeLine`.
    /// `writeLine` is called from many threads at once and must be thread-safe.
    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    /// Writes one line.
    public func write(_ line: String) {
        writeLine(line)
    }

    /// Standard output; each line is written whole, never interleaved with another.
    public static let standardOutput = LogOutput { line in
        FileLineWriter.standardOutput.write(line)
    }

    /// Standard error; each line is written whole, never interleaved with another.
    public static let standardError = LogOutput { line in
        FileLineWriter.standardError.write(line)
    }
}

/// Writes whole lines to a file handle under a lock.
private final class FileLineWriter: Sendable {
    static let standardOutput = FileLineWriter(handle: .standardOutput)
    static let standardError = FileLineWriter(handle: .standardError)

    private let handle: Mutex<FileHandle>

    private init(handle: FileHandle) {
        self.handle = Mutex(handle)
    }

    func write(_ line: String) {
        let data = Data((line + "\n").utf8)
        handle.withLock { handle in
            // A closed or full output must not take the service down; the line is lost.
            try? handle.write(contentsOf: data)
        }
    }
}
