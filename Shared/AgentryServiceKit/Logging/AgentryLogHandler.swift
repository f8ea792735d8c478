import Foundation
import Logging

/// A swift-log handler writing one JSON object (or one text line) per log event.
///
/// A JSON line looks like
/// ```
/// {"timestamp":"2026-03-02T09:14:07.215Z","level":"info","label":"director","message":"run planned",
///  "source":"Director","envelope.type":"run.planned","run.id":"0b9f3c52-..."}
/// ```
/// Nested metadata is flattened to dot keys (`["run": ["id": "x"]]` becomes `run.id`). Events at
/// `error` and above also carry `file` and `line`. Values under keys that name secrets
/// (see ``Redaction/isSensitive(key:)``) are replaced by `[REDACTED]`, and passwords inside URLs by `***`.
///
/// Metadata is merged in this order, later winning: the handler's own, the metadata provider's,
/// the log statement's.
public struct AgentryLogHandler: LogHandler {
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata attached to every event from this handler.
    public var metadata: Logger.Metadata
    /// Supplies contextual metadata (e.g. task-local `run.id`) for every event.
    public var metadataProvider: Logger.MetadataProvider?

    private let renderer: LogLineRenderer
    private let output: LogOutput
    private let now: @Sendable () -> Date

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: The logger's label; services use their name.
    ///   - format: JSON or text lines.
    ///   - level: The lowest level written.
    ///   - output: Where lines go; standard output by default.
    ///   - metadataProvider: Contextual metadata for every event.
    ///   - now: The clock stamping events (injectable for tests).
    public init(
        label: String,
        format: LogFormat = .json,
        level: Logger.Level = .info,
        output: LogOutput = .standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.logLevel = level
        self.metadata = [:]
        self.metadataProvider = metadataProvider
        self.renderer = LogLineRenderer(label: label, format: format)
        self.output = output
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        output.write(renderer.render(
            timestamp: now(),
            level: event.level,
            message: event.message.description,
            metadata: merged,
            source: event.source,
            file: event.file,
            line: event.line
        ))
    }
}
