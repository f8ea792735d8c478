import Hummingbird

/// A request the API refuses, with the HTTP status, a stable code and a message for the caller.
///
/// Every error answer has the body `{"error":{"code":"…","message":"…"}}`. `reason` is the label
/// under which ``IngestMetrics`` counts the rejection; it is the code unless a finer one helps
/// operators (`signature_stale` for `invalid_signature`).
struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var reason: String
    /// For 429: how long to wait, sent as `Retry-After` (whole seconds, rounded up).
    var retryAfter: Duration?

    init(_ status: HTTPResponse.Status, code: String, _ message: String, reason: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason ?? code
    }

    var description: String { "\(status.code) \(code): \(message)" }

    /// 400: the body is not JSON, or not JSON of the expected shape.
    static func malformedJSON(_ detail: String) -> APIError {
        APIError(.badRequest, code: "malformed_json", "the body is not valid JSON of the expected shape: \(detail)")
    }

    /// 400: a field or parameter has a value the API does not accept.
    static func invalidRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_request", message)
    }

    /// 415: the body, sent as `contentType`, is not what the route takes (`expected`: JSON by default).
    static func unsupportedMediaType(
        _ contentType: String?, expected: String = "JSON sent with Content-Type: application/json"
    ) -> APIError {
        let given = contentType.map { "\"\($0)\"" } ?? "no content type"
        return APIError(.unsupportedMediaType, code: "unsupported_media_type", "the body must be \(expected) (got \(given))")
    }

    /// 413: the body is larger than `AGENTRY_MAX_BODY_BYTES`.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large", "the body is larger than the limit of \(limit) bytes")
    }

    /// 404: nothing with this id.
    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message)
    }

    /// 503: the broker did not confirm the envelope; the outcome is unknown, so the caller should retry.
    static func brokerUnavailable(_ detail: String) -> APIError {
        APIError(
            .serviceUnavailable, code: "broker_unavailable",
            "the message broker did not confirm the request (\(detail)); nothing was accepted, try again")
    }

    /// 503: the database could not be read.
    static let databaseUnavailable = APIError(
        .serviceUnavailable, code: "database_unavailable", "the database cannot be reached; try again")

    /// 429: the tenant's request rate is over its limit.
    static func rateLimited(retryAfter: Duration) -> APIError {
        var error = APIError(
            .tooManyRequests, code: "rate_limited", "too many requests for this tenant; retry after the Retry-After delay")
        error.retryAfter = retryAfter
        return error
    }

    /// 500: an unexpected failure; details are in the gateway's log.
    static let internalError = APIError(
        .internalServerError, code: "internal_error", "an unexpected error occurred; see the ingest gateway's log")
}
