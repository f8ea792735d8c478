/// A response whose head has arrived and whose body is still streaming, returned by
/// ``HTTPClient/stream(_:)``.
///
/// ```swift
/// let response = try await client.stream(request)
/// guard response.status == 200 else { ... }
/// for try await event in response.body.serverSentEvents() { ... }
/// ```
public struct HTTPStreamingResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// The response header fields in the order received.
    public var headers: HTTPHeaders
    /// The HTTP version as sent by the server, such as `HTTP/1.1`.
    public var version: String
    /// The body, arriving as chunks.
    public var body: HTTPResponseBody

    init(head: HTTPResponseHead, body: HTTPResponseBody) {
        status = head.status
        headers = head.headers
        version = head.version
        self.body = body
    }
}
