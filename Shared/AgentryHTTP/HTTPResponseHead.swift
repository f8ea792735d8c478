/// The status line and header fields of a response.
public struct HTTPResponseHead: Sendable, Hashable {
    /// The HTTP version as sent by the server, such as `HTTP/1.1` or `HTTP/2`.
    public var version: String
    /// The status code, such as 200.
    public var status: Int
    /// The reason phrase, empty when the server sent none (always so over HTTP/2).
    public var reasonPhrase: String
    /// The header fields in the order received.
    public var headers: HTTPHeaders

    public init(version: String = "HTTP/1.1", status: Int, reasonPhrase: String = "", headers: HTTPHeaders = [:]) {
        self.version = version
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.headers = headers
    }
}
