import AgentryBus
import AgentryContracts
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// One tool of a specialist worker (`shell.run`, `sql.query`, `slack.post`, ...).
public protocol WorkerTool: Sendable {
    /// The name plans use in a step's `tool`.
    var name: String { get }
    /// Carries the step out and returns its output; throws ``ToolFailure`` for a failure the
    /// director should see with a code (anything else is reported as a retryable `tool_error`).
    func run(_ request: ToolRequest) async throws -> JSONValue
}

/// What a tool gets: the step's input, its idempotency key (every side effect carries it), its
/// limits and the envelope it came in.
public struct ToolRequest: Sendable {
    public var input: JSONValue
    public var item: WorkItem
    public var envelope: Envelope
    public var logger: Logger

    public var idempotencyKey: String { item.idempotencyKey }
    public var limits: StepLimits { item.limits }

    public init(input: JSONValue, item: WorkItem, envelope: Envelope, logger: Logger) {
        self.input = input
        self.item = item
        self.envelope = envelope
        self.logger = logger
    }

    /// The string at `key` of the input object, or a non-retryable `invalid_input` failure.
    public func string(_ key: String) throws -> String {
        guard case .string(let value)? = input[key], !value.isEmpty else {
            throw ToolFailure(code: "invalid_input", "input.\(key) must be a non-empty string", retryable: false)
        }
        return value
    }

    /// The string at `key`, if present.
    public func optionalString(_ key: String) throws -> String? {
        switch input[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw ToolFailure(code: "invalid_input", "input.\(key) must be a string", retryable: false)
        }
    }
}

/// A tool's failure, reported to the director in `step.failed`.
public struct ToolFailure: Error, CustomStringConvertible {
    public var code: String
    public var message: String
    public var retryable: Bool

    public init(code: String, _ message: String, retryable: Bool) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(code): \(message)" }
}

/// A specialist worker: consumes `work.<kind>`, runs the step's tool under its wall-clock limit,
/// publishes `step.completed` or `step.failed` (confirmed by the broker) and only then acks.
///
/// A worker is stateless: a redelivered step runs again and its tools rely on the idempotency
/// key for side effects.
public struct WorkerService: Service {
    private let specialist: Specialist
    private let bus: any MessageBus
    private let prefetch: Int
    private let logger: Logger
    private let tools: [String: any WorkerTool]
    private let timeoutGrace: Duration

    /// - Parameter timeoutGrace: How long past the step's `timeoutSeconds` the worker waits before it
    ///   gives up on a tool. Tools enforce the limit themselves and report their own `timeout`
    ///   failure; this is the backstop for one that does not return.
    public init(
        specialist: Specialist, bus: any MessageBus, prefetch: Int, logger: Logger, tools: [any WorkerTool],
        timeoutGrace: Duration = .seconds(5)
    ) {
        self.timeoutGrace = timeoutGrace
        self.specialist = specialist
        self.bus = bus
        self.prefetch = prefetch
        self.logger = logger
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func run() async throws {
        let consumer = EnvelopeConsumer(queue: specialist.queueName, bus: bus, prefetch: prefetch, logger: logger) {
            envelope, _ in try await self.handle(envelope)
        }
        try await consumer.run()
    }

    /// Runs one work item and publishes its result; the caller acks when this returns.
    public func handle(_ envelope: Envelope) async throws {
        guard case .workItem(let item) = envelope.payload else {
            throw PermanentFailure("\(specialist.queueName) received \(envelope.type.rawValue), not a work item")
        }
        var logger = self.logger
        logger[metadataKey: "step.id"] = "\(item.stepId)"
        logger[metadataKey: "tool"] = "\(item.tool)"
        let started = ContinuousClock.now
        let outcome = await execute(item, envelope: envelope, logger: logger)
        // Stopped mid-step (shutdown past its grace period): hand the step back rather than report it.
        try Task.checkCancellation()
        let elapsed = started.duration(to: .now)
        let milliseconds = elapsed.milliseconds
        let payload: EnvelopePayload
        switch outcome {
        case .success(let output):
            payload = .stepCompleted(StepCompleted(output: output, durationMs: milliseconds, idempotencyKey: item.idempotencyKey))
            logger.info("step completed", metadata: ["duration.ms": "\(milliseconds)"])
        case .failure(let failure):
            payload = .stepFailed(StepFailed(
                error: failure.message, code: failure.code, retryable: failure.retryable, durationMs: milliseconds))
            logger.warning("step failed", metadata: ["code": "\(failure.code)", "reason": "\(failure.message)"])
        }
        Counter(label: "agentry_steps_total", dimensions: [
            ("specialist", specialist.rawValue), ("tool", item.tool),
            ("outcome", outcome.isSuccess ? "succeeded" : "failed"),
        ]).increment()
        var result = Envelope.caused(by: envelope, payload: payload)
        result.stepId = item.stepId
        result.attempt = envelope.attempt
        try await bus.publishEvent(result)
    }

    private func execute(_ item: WorkItem, envelope: Envelope, logger: Logger) async -> Result<JSONValue, ToolFailure> {
        guard let tool = tools[item.tool] else {
            let known = tools.keys.sorted().joined(separator: ", ")
            return .failure(ToolFailure(
                code: "unknown_tool", "the \(specialist.rawValue) worker has no tool '\(item.tool)' (it has: \(known))",
                retryable: false))
        }
        let request = ToolRequest(input: item.input, item: item, envelope: envelope, logger: logger)
        let timeout = Duration.seconds(max(1, item.limits.timeoutSeconds)) + timeoutGrace
        do {
            let output = try await withDeadline(timeout, otherwise: {
                ToolFailure(code: "timeout", "the step did not finish within \(item.limits.timeoutSeconds) s", retryable: true)
            }) {
                try await tool.run(request)
            }
            if let cap = item.limits.maxOutputBytes, let size = try? JSONEncoder().encode(output).count, size > cap {
                return .failure(ToolFailure(
                    code: "output_too_large", "the output is \(size) bytes, over the step's limit of \(cap)", retryable: false))
            }
            return .success(output)
        } catch let failure as ToolFailure {
            return .failure(failure)
        } catch is CancellationError {
            return .failure(ToolFailure(code: "cancelled", "the worker stopped before the step finished", retryable: true))
        } catch {
            return .failure(ToolFailure(code: "tool_error", "\(error)", retryable: true))
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
