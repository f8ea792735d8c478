import AgentryChannels
import Foundation
import Synchronization

/// A ``MessageDeliverer`` that records what it is asked to deliver and answers with a receipt, or
/// with a scripted error.
final class RecordingDeliverer: MessageDeliverer {
    struct Call: Sendable {
        var message: OutboundMessage
        var key: String
        var context: DeliveryContext
    }

    private let state = Mutex<(calls: [Call], failures: [ChannelError])>(([], []))

    /// Makes the next deliveries fail with `errors`, in order.
    func failNext(_ errors: ChannelError...) {
        state.withLock { $0.failures += errors }
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func deliver(_ message: OutboundMessage, key: String, context: DeliveryContext) async throws -> DeliveryReceipt {
        let failure = state.withLock { state -> ChannelError? in
            state.calls.append(Call(message: message, key: key, context: context))
            return state.failures.isEmpty ? nil : state.failures.removeFirst()
        }
        if let failure { throw failure }
        return DeliveryReceipt(
            id: UUID(), channel: message.channel, target: message.target,
            status: message.channel == .capture ? .captured : .delivered, response: "recorded", isReplay: false)
    }
}
