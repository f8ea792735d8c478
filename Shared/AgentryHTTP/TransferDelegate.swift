/// What the write callback tells libcurl about a chunk of body.
enum BodyDisposition: Sendable {
    /// The bytes were taken.
    case accepted
    /// The bytes were not taken; pause receiving until the consumer asks to resume.
    case pause
    /// Fail the transfer with this error.
    case abort(HTTPClientError.Code, String)
}

/// Receives a transfer's events. Every method is called on the driver thread, in order:
/// at most one head, body chunks, then exactly one completion.
protocol TransferDelegate: AnyObject, Sendable {
    /// The final response head (after interim responses and followed redirects).
    func transferDidReceiveHead(_ head: HTTPResponseHead)
    /// A chunk of the final response body; the buffer is only valid during the call.
    func transferDidReceiveBody(_ bytes: UnsafeRawBufferPointer) -> BodyDisposition
    /// The end of the transfer: `nil` on success.
    func transferDidComplete(_ error: HTTPClientError?)
}
