import Foundation

/// The body of a streamed response: an asynchronous sequence of chunks as they arrive.
///
/// It ends when the transfer completes and throws the transfer's ``HTTPClientError`` if it fails.
/// Iterate it once. Cancelling the iterating task, or releasing the body (and its iterator)
/// before the end, cancels the transfer.
/// ```swift
/// for try await chunk in response.body { parser.feed(chunk) }
/// ```
public struct HTTPResponseBody: AsyncSequence, Sendable {
    public typealias Element = Data

    /// Owns the transfer on the consumer's side: releasing it cancels an unfinished transfer.
    /// It keeps the client alive, so a body may outlive every other reference to its client.
    final class Transfer: Sendable {
        let delegate: StreamingTransferDelegate
        let client: HTTPClient
        let id: TransferID
        let url: String

        init(delegate: StreamingTransferDelegate, client: HTTPClient, id: TransferID, url: String) {
            self.delegate = delegate
            self.client = client
            self.id = id
            self.url = url
        }

        func cancel() {
            client.driver.cancel(id)
        }

        deinit {
            if !delegate.isComplete { client.driver.cancel(id) }
        }
    }

    let transfer: Transfer

    /// Iterates the chunks of a ``HTTPResponseBody``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let transfer: Transfer

        public mutating func next() async throws -> Data? {
            let transfer = self.transfer
            if Task.isCancelled {
                transfer.cancel()
                throw HTTPClientError(.cancelled, url: transfer.url, detail: "the consuming task was cancelled")
            }
            return try await withTaskCancellationHandler {
                try await transfer.delegate.next()
            } onCancel: {
                transfer.cancel()
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(transfer: transfer)
    }

    /// Collects the whole body, failing with ``HTTPClientError/Code/bodyTooLarge`` (and cancelling
    /// the transfer) beyond `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> Data {
        var data = Data()
        for try await chunk in self {
            guard data.count + chunk.count <= maxBytes else {
                transfer.cancel()
                let detail = "response body exceeds \(maxBytes) bytes"
                throw HTTPClientError(.bodyTooLarge, url: transfer.url, detail: detail)
            }
            data.append(chunk)
        }
        return data
    }

    /// Whether the transfer is paused because the consumer fell behind (for tests and metrics).
    var isTransferPaused: Bool { transfer.delegate.isPaused }

    /// Bytes received but not yet consumed.
    var bufferedBytes: Int { transfer.delegate.bufferedBytes }
}
