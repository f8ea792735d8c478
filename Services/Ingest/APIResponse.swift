import AgentryContracts
import Foundation
import Hummingbird

/// An answer of the API: status, JSON body and, for created resources, a `Location`.
struct APIResponse: Sendable {
    var status: HTTPResponse.Status
    var body: Data
    var location: String?
    /// `Retry-After`, in whole seconds.
    var retryAfterSeconds: Int?

    /// `value` as JSON (see ``APIJSON/encoder``).
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, location: String? = nil) -> APIResponse {
        do {
            return APIResponse(status: status, body: try APIJSON.encoder.encode(value), location: location)
        } catch {
            return APIResponse.error(.internalError)
        }
    }

    /// `{"error":{"code":"…","message":"…"}}` with the error's status.
    static func error(_ error: APIError) -> APIResponse {
        let body = APIErrorBody(error: .init(code: error.code, message: error.message))
        let data = (try? APIJSON.encoder.encode(body)) ?? Data(#"{"error":{"code":"internal_error","message":""}}"#.utf8)
        var response = APIResponse(status: error.status, body: data)
        if let wait = error.retryAfter {
            let (seconds, attoseconds) = wait.components
            response.retryAfterSeconds = Int(seconds) + (attoseconds > 0 ? 1 : 0)
        }
        return response
    }

    /// The Hummingbird response.
    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let location { headers[.location] = location }
        if let retryAfterSeconds { headers[.retryAfter] = String(max(1, retryAfterSeconds)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The JSON shape of every error answer.
struct APIErrorBody: Codable, Sendable, Equatable {
    struct Detail: Codable, Sendable, Equatable {
        var code: String
        var message: String
    }

    var error: Detail
}
