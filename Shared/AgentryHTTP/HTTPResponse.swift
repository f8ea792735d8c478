import Foundation

/// A complete, buffered response returned by ``HTTPClient/execute(_:)``.
///
/// Statuses of 400 and above are responses, not errors: check ``status``.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, such as 200.
    public var status: Int
    /// The response header fields in the order received.
    public var headers: HTTPHeaders
    /// The response body.
    public var body: Data
    /// The HTTP version as sent by the server, such as `HTTP/1.1`.
    public var version: String

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data(), version: String = "HTTP/1.1") {
        self.status = status
        self.headers = headers
        self.body = body
        self.version = version
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
