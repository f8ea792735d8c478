import AgentryServiceKit
import Foundation
import Logging
import Synchronization

/// Collects log lines in memory.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var output: LogOutput {
        LogOutput { line in self.append(line) }
    }

    private func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var all: [String] { lines.withLock { $0 } }

    /// Each line parsed as a JSON object.
    func objects() throws -> [[String: Any]] {
        try all.map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw NotAnObject(line: line)
            }
            return object
        }
    }

    /// A logger writing to this capture.
    func logger(
        label: String = "director",
        format: LogFormat = .json,
        level: Logger.Level = .trace,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: Date = Date(timeIntervalSince1970: 1_772_442_847.215)
    ) -> Logger {
        let output = self.output
        return Logger(label: label) { label in
            AgentryLogHandler(
                label: label, format: format, level: level, output: output,
                metadataProvider: metadataProvider, now: { now }
            )
        }
    }

    struct NotAnObject: Error {
        let line: String
    }
}
