/// An HTTP (and SMTP) client over libcurl, shaped like AsyncHTTPClient.
///
/// All transfers of a client run on one dedicated thread driving libcurl's multi interface, so
/// hundreds of concurrent requests (long model streams included) cost one thread, and no libcurl
/// call ever blocks Swift's cooperative thread pool.
/// ```swift
/// let response = try await HTTPClient.shared.execute(HTTPRequest(url: "https://example.com/"))
/// print(response.status, response.bodyText)
/// ```
public final class HTTPClient: Sendable {
    /// A process-wide client with the default configuration; ``shutdown()`` leaves it running.
    public static let shared = HTTPClient(configuration: Configuration(), isShared: true)

    /// This client's settings.
    public let configuration: Configuration
    let driver: CurlMultiDriver
    private let isShared: Bool

    /// Creates a client; its thread starts with the first request. Call ``shutdown()`` when done.
    public convenience init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration, isShared: false)
    }

    private init(configuration: Configuration, isShared: Bool) {
        self.configuration = configuration
        self.isShared = isShared
        driver = CurlMultiDriver(configuration: configuration)
    }

    deinit {
        driver.requestShutdown()
    }

    /// Stops the client's thread. Transfers in flight fail with ``HTTPClientError/Code/cancelled``,
    /// later requests with ``HTTPClientError/Code/shutDown``. Returns once the thread has exited.
    /// Does nothing on ``shared``, which other parts of the process rely on.
    public func shutdown() async {
        guard !isShared else { return }
        await driver.shutdown()
    }

    /// Sends a request and buffers the whole response, up to the request's
    /// ``HTTPRequest/maxResponseBodySize``. Cancelling the calling task cancels the transfer.
    ///
    /// - Returns: the final response (after followed redirects); 4xx and 5xx statuses included.
    /// - Throws: ``HTTPClientError``.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let spec = try request.transferSpec(userAgent: configuration.userAgent, buffered: true)
        let delegate = CollectingTransferDelegate(maxBodySize: request.maxResponseBodySize)
        let outcome = try await run(spec, delegate: delegate)
        guard let head = outcome.head else {
            throw HTTPClientError(.transferFailed(0), url: request.url, detail: "no response head received")
        }
        return HTTPResponse(status: head.status, headers: head.headers, body: outcome.body, version: head.version)
    }

    /// Sends a request and returns as soon as the final response head has arrived; the body
    /// streams through ``HTTPStreamingResponse/body`` with backpressure.
    ///
    /// Cancelling the calling task while waiting for the head, cancelling the task consuming the
    /// body, or releasing the body before its end cancels the transfer.
    /// - Throws: ``HTTPClientError``.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let spec = try request.transferSpec(userAgent: configuration.userAgent, buffered: false)
        let driver = self.driver
        let id = driver.makeTransferID()
        let delegate = StreamingTransferDelegate(highWaterMark: configuration.streamingBufferSize) {
            driver.unpause(id)
        }
        let transfer = HTTPResponseBody.Transfer(delegate: delegate, client: self, id: id, url: request.url)
        driver.start(id, spec: spec, delegate: delegate)
        let head = try await withTaskCancellationHandler {
            try await delegate.head()
        } onCancel: {
            transfer.cancel()
        }
        return HTTPStreamingResponse(head: head, body: HTTPResponseBody(transfer: transfer))
    }

    /// Runs a transfer to its end, cancelling it if the calling task is cancelled.
    func run(
        _ spec: TransferSpec, delegate: CollectingTransferDelegate
    ) async throws -> CollectingTransferDelegate.Outcome {
        let driver = self.driver
        let id = driver.makeTransferID()
        driver.start(id, spec: spec, delegate: delegate)
        return try await withTaskCancellationHandler {
            try await delegate.outcome()
        } onCancel: {
            driver.cancel(id)
        }
    }
}
