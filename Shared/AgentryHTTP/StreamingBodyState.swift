import Foundation

/// The flow-control state of one streamed response: the head, body chunks buffered between the
/// driver thread (producer) and the consuming task, pausing and completion.
///
/// A pure state machine: each event returns what the caller must do (resume a waiter, pause or
/// resume the transfer), so it is tested without I/O. The caller holds it under a mutex.
struct StreamingBodyState {
    /// What ends the stream once the buffered chunks are consumed.
    enum Completion {
        case finished
        case failed(HTTPClientError)
    }

    /// The consumer's next step.
    enum NextChunk {
        /// Deliver this chunk; when `resumeTransfer` is set, ask the driver to unpause first.
        case chunk(Data, resumeTransfer: Bool)
        case end
        case failed(HTTPClientError)
        /// Nothing yet: the waiter was stored and is resumed by a later event.
        case wait
    }

    /// The largest number of buffered bytes before the producer is paused.
    let highWaterMark: Int
    private(set) var head: HTTPResponseHead?
    private(set) var completion: Completion?
    private(set) var isPaused = false
    private(set) var bufferedBytes = 0
    private var chunks: [Data] = []
    private var headWaiter: CheckedContinuation<HTTPResponseHead, any Error>?
    private var bodyWaiter: CheckedContinuation<Data?, any Error>?

    init(highWaterMark: Int) {
        self.highWaterMark = max(1, highWaterMark)
    }

    // MARK: Producer events (driver thread)

    /// Records the final head; returns the waiter to resume with it.
    mutating func receiveHead(_ head: HTTPResponseHead) -> CheckedContinuation<HTTPResponseHead, any Error>? {
        self.head = head
        defer { headWaiter = nil }
        return headWaiter
    }

    /// Takes a chunk or refuses it (pause). A waiting consumer gets it directly: the returned waiter
    /// must be resumed with it.
    mutating func receiveBody(_ chunk: Data) -> (BodyDisposition, CheckedContinuation<Data?, any Error>?) {
        if completion != nil { return (.accepted, nil) }
        if let waiter = bodyWaiter {
            bodyWaiter = nil
            return (.accepted, waiter)
        }
        if bufferedBytes >= highWaterMark {
            isPaused = true
            return (.pause, nil)
        }
        chunks.append(chunk)
        bufferedBytes += chunk.count
        return (.accepted, nil)
    }

    /// Records the end of the transfer; returns the waiters to resume and what to resume them with.
    mutating func complete(_ error: HTTPClientError?) -> (
        head: (CheckedContinuation<HTTPResponseHead, any Error>, Result<HTTPResponseHead, HTTPClientError>)?,
        body: (CheckedContinuation<Data?, any Error>, Result<Data?, HTTPClientError>)?
    ) {
        guard completion == nil else { return (nil, nil) }
        completion = error.map(Completion.failed) ?? .finished
        isPaused = false
        var headAction: (CheckedContinuation<HTTPResponseHead, any Error>, Result<HTTPResponseHead, HTTPClientError>)?
        if let headWaiter {
            self.headWaiter = nil
            let failure = error ?? HTTPClientError(.transferFailed(0), detail: "transfer ended without a response head")
            headAction = (headWaiter, head.map { .success($0) } ?? .failure(failure))
        }
        var bodyAction: (CheckedContinuation<Data?, any Error>, Result<Data?, HTTPClientError>)?
        if let bodyWaiter {
            self.bodyWaiter = nil
            bodyAction = (bodyWaiter, error.map { .failure($0) } ?? .success(nil))
        }
        return (headAction, bodyAction)
    }

    // MARK: Consumer events

    /// The head if known, the failure if the transfer ended without one, or `nil` after storing
    /// `waiter`.
    mutating func waitForHead(
        _ waiter: CheckedContinuation<HTTPResponseHead, any Error>
    ) -> Result<HTTPResponseHead, HTTPClientError>? {
        if let head { return .success(head) }
        switch completion {
        case .failed(let error):
            return .failure(error)
        case .finished:
            return .failure(HTTPClientError(.transferFailed(0), detail: "transfer ended without a response head"))
        case nil:
            headWaiter = waiter
            return nil
        }
    }

    /// The next buffered chunk, the end, or `.wait` after storing `waiter` (if given). Buffered
    /// chunks are delivered before a failure. The producer is only paused while more than half the
    /// buffer is full, so an empty buffer never leaves it paused.
    mutating func nextChunk(_ waiter: CheckedContinuation<Data?, any Error>?) -> NextChunk {
        if !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            bufferedBytes -= chunk.count
            var resume = false
            if isPaused, bufferedBytes <= highWaterMark / 2 {
                isPaused = false
                resume = true
            }
            return .chunk(chunk, resumeTransfer: resume)
        }
        switch completion {
        case .finished:
            return .end
        case .failed(let error):
            return .failed(error)
        case nil:
            bodyWaiter = waiter
            return .wait
        }
    }
}
