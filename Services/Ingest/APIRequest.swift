import Foundation

/// A request as the API handlers see it: headers (names lowercased) and the whole body, already
/// read within the size limit by the HTTP layer.
struct APIRequest: Sendable {
    private var headers: [String: String]
    var body: [UInt8]

    /// Creates a request; header names are matched case-insensitively.
    init(headers: [String: String] = [:], body: [UInt8] = []) {
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $0 + ", " + $1 })
        self.body = body
    }

    /// The value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The media type of the body, lowercased and without parameters (`multipart/form-data` of
    /// `multipart/form-data; boundary=x`); empty without a `Content-Type`.
    var mediaType: String {
        header("content-type")?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
    }

    /// Checks that the body is declared as JSON (`application/json` or `application/*+json`,
    /// parameters such as `charset` allowed).
    ///
    /// - Throws: ``APIError/unsupportedMediaType(_:)`` otherwise.
    func requireJSON() throws(APIError) {
        let mediaType = self.mediaType
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        else { throw .unsupportedMediaType(header("content-type")) }
    }

    /// The token of an `Authorization: Bearer <token>` header (empty if the header has nothing after `Bearer `), if any.
    var bearerToken: String? {
        guard let value = header("authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}
