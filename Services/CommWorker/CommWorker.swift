import AgentryBus
import AgentryChannels
import AgentryContracts
import AgentryRuntime
import Logging

/// Builds the communication worker.
///
/// ```swift
/// let worker = CommWorker.service(bus: runtime.bus, prefetch: 8, logger: logger, deliverer: ledger)
/// try await runtime.run([worker])
/// ```
enum CommWorker {
    /// The worker's tools, delivering through `deliverer`.
    static func tools(deliverer: any MessageDeliverer) -> [any WorkerTool] {
        [SlackPostTool(deliverer: deliverer), EmailSendTool(deliverer: deliverer), JiraCommentTool(deliverer: deliverer)]
    }

    /// The worker service consuming `work.comm`.
    static func service(
        bus: any MessageBus, prefetch: Int, logger: Logger, deliverer: any MessageDeliverer
    ) -> WorkerService {
        WorkerService(specialist: .comm, bus: bus, prefetch: prefetch, logger: logger, tools: tools(deliverer: deliverer))
    }

    /// Delivers `message` for the step of `request`, keyed by the work item's idempotency key, and
    /// returns the tool output `{channel, status, deliveryId, target}`.
    static func deliver(_ message: OutboundMessage, for request: ToolRequest, deliverer: any MessageDeliverer)
        async throws -> JSONValue
    {
        let receipt: DeliveryReceipt
        do {
            receipt = try await deliverer.deliver(
                message, key: request.idempotencyKey,
                context: .step(runId: request.envelope.runId, stepId: request.item.stepId))
        } catch let error as ChannelError {
            throw ToolFailure(code: error.code.description, error.description, retryable: error.isRetryable)
        }
        if receipt.isReplay {
            request.logger.info("step's message was delivered before; not sent again", metadata: [
                "delivery.id": "\(receipt.id.uuidString.lowercased())",
            ])
        }
        return output(receipt)
    }

    /// The tool output for a receipt.
    static func output(_ receipt: DeliveryReceipt) -> JSONValue {
        [
            "channel": .string(receipt.channel.rawValue),
            "status": .string(receipt.status.rawValue),
            "deliveryId": .string(receipt.id.uuidString.lowercased()),
            "target": .string(receipt.target),
        ]
    }

    /// A non-retryable `invalid_input` failure.
    static func invalidInput(_ message: String) -> ToolFailure {
        ToolFailure(code: "invalid_input", message, retryable: false)
    }
}
