import Foundation
import Synchronization

/// Connects a streamed transfer on the driver thread to the task consuming its body, with
/// backpressure: when the consumer falls behind the transfer is paused, and resumed once it
/// has drained half the buffer.
final class StreamingTransferDelegate: TransferDelegate {
    private let state: Mutex<StreamingBodyState>
    private let resumeTransfer: @Sendable () -> Void

    /// - Parameters:
    ///   - highWaterMark: bytes buffered before the transfer is paused.
    ///   - resumeTransfer: asks the driver to unpause the transfer.
    init(highWaterMark: Int, resumeTransfer: @escaping @Sendable () -> Void) {
        state = Mutex(StreamingBodyState(highWaterMark: highWaterMark))
        self.resumeTransfer = resumeTransfer
    }

    // MARK: Driver thread

    func transferDidReceiveHead(_ head: HTTPResponseHead) {
        let waiter = state.withLock { $0.receiveHead(head) }
        waiter?.resume(returning: head)
    }

    func transferDidReceiveBody(_ bytes: UnsafeRawBufferPointer) -> BodyDisposition {
        let chunk = Data(bytes)
        let (disposition, waiter) = state.withLock { $0.receiveBody(chunk) }
        waiter?.resume(returning: chunk)
        return disposition
    }

    func transferDidComplete(_ error: HTTPClientError?) {
        let (head, body) = state.withLock { $0.complete(error) }
        if let (waiter, result) = head { waiter.resume(with: result.mapError { $0 as any Error }) }
        if let (waiter, result) = body { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    // MARK: Consumer

    /// Waits for the final response head, or throws the transfer's error.
    func head() async throws -> HTTPResponseHead {
        try await withCheckedThrowingContinuation { continuation in
            if let ready = state.withLock({ $0.waitForHead(continuation) }) {
                continuation.resume(with: ready.mapError { $0 as any Error })
            }
        }
    }

    /// The next body chunk, `nil` at the end, or the transfer's error.
    func next() async throws -> Data? {
        switch state.withLock({ $0.nextChunk(nil) }) {
        case .chunk(let chunk, let resume):
            if resume { resumeTransfer() }
            return chunk
        case .end:
            return nil
        case .failed(let error):
            throw error
        case .wait:
            break
        }
        return try await withCheckedThrowingContinuation { continuation in
            switch state.withLock({ $0.nextChunk(continuation) }) {
            case .chunk(let chunk, let resume):
                if resume { resumeTransfer() }
                continuation.resume(returning: chunk)
            case .end:
                continuation.resume(returning: nil)
            case .failed(let error):
                continuation.resume(throwing: error)
            case .wait:
                break
            }
        }
    }

    /// Whether the transfer is currently paused because the consumer fell behind.
    var isPaused: Bool { state.withLock { $0.isPaused } }

    /// Bytes received but not yet consumed.
    var bufferedBytes: Int { state.withLock { $0.bufferedBytes } }

    /// Whether the transfer has ended (successfully or not).
    var isComplete: Bool { state.withLock { $0.completion != nil } }
}
