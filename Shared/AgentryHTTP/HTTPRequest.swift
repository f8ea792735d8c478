import Foundation

/// An outbound HTTP request, shaped like AsyncHTTPClient's `HTTPClientRequest`.
///
/// ```swift
/// var request = HTTPRequest(url: "https://api.example.com/v1/messages", method: .post)
/// request.headers.add(name: "Content-Type", value: "application/json")
/// request.body = Data(json.utf8)
/// request.timeouts.total = .seconds(60)
/// let response = try await HTTPClient.shared.execute(request)
/// ```
public struct HTTPRequest: Sendable {
    /// The absolute `http` or `https` URL.
    public var url: String
    /// The request method; `GET` by default.
    public var method: HTTPMethod
    /// Request header fields, sent in order. An `Expect` header is suppressed unless given here.
    public var headers: HTTPHeaders
    /// The request body, if any. Its length is sent as `Content-Length`.
    public var body: Data?
    /// Connect and total timeouts.
    public var timeouts: Timeouts
    /// Whether the server's certificate and host name are verified; `true` by default.
    public var verifyTLS: Bool
    /// A PEM file of trusted certificate authorities replacing the system bundle, if set.
    public var caFile: String?
    /// Whether and how far redirects are followed; `.follow(max: 5)` by default.
    public var redirectPolicy: RedirectPolicy
    /// The largest response body ``HTTPClient/execute(_:)`` buffers before failing with
    /// ``HTTPClientError/Code/bodyTooLarge``; 10 MiB by default. Streamed bodies are not limited.
    public var maxResponseBodySize: Int

    /// Creates a request.
    public init(
        url: String,
        method: HTTPMethod = .get,
        headers: HTTPHeaders = [:],
        body: Data? = nil,
        timeouts: Timeouts = Timeouts(),
        verifyTLS: Bool = true,
        caFile: String? = nil,
        redirectPolicy: RedirectPolicy = .follow(max: 5),
        maxResponseBodySize: Int = 10 * 1024 * 1024
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.redirectPolicy = redirectPolicy
        self.maxResponseBodySize = maxResponseBodySize
    }
}
