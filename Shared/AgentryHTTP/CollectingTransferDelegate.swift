import Foundation
import Synchronization

/// Buffers a whole response (or just waits for the end of an upload such as a mail delivery)
/// and hands it to one waiting task.
final class CollectingTransferDelegate: TransferDelegate {
    /// What the transfer produced: the final head (`nil` for SMTP) and the body.
    typealias Outcome = (head: HTTPResponseHead?, body: Data)

    private struct State {
        var head: HTTPResponseHead?
        var body = Data()
        var result: Result<Outcome, HTTPClientError>?
        var waiter: CheckedContinuation<Outcome, any Error>?
    }

    private let maxBodySize: Int
    private let state = Mutex(State())

    init(maxBodySize: Int) {
        self.maxBodySize = maxBodySize
    }

    func transferDidReceiveHead(_ head: HTTPResponseHead) {
        state.withLock { $0.head = head }
    }

    func transferDidReceiveBody(_ bytes: UnsafeRawBufferPointer) -> BodyDisposition {
        state.withLock { state in
            guard state.body.count + bytes.count <= maxBodySize else {
                return .abort(.bodyTooLarge, "response body exceeds \(maxBodySize) bytes")
            }
            state.body.append(contentsOf: bytes)
            return .accepted
        }
    }

    func transferDidComplete(_ error: HTTPClientError?) {
        let (waiter, result) = state.withLock { state in
            let result: Result<Outcome, HTTPClientError> = if let error {
                .failure(error)
            } else {
                .success((state.head, state.body))
            }
            state.body = Data()
            if let waiter = state.waiter {
                state.waiter = nil
                return (Optional(waiter), result)
            }
            state.result = result
            return (nil, result)
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    /// Waits for the end of the transfer.
    func outcome() async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Outcome, HTTPClientError>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
        }
    }
}
