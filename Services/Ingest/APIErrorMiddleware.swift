import Hummingbird
import Logging

/// Turns every error that reaches the router into a JSON error answer and counts it: ``APIError``s
/// thrown while reading a request, Hummingbird's own (an unknown route is 404 `not_found`), and
/// anything unexpected (500 `internal_error`, logged).
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: IngestMetrics
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let error: APIError
        do {
            return try await next(request, context)
        } catch let thrown as APIError {
            error = thrown
        } catch let thrown as any HTTPResponseError {
            switch thrown.status {
            case .notFound:
                let path = request.uri.path.prefix(200)
                error = .notFound("there is no \(request.method.rawValue) \(path); see docs/configuration.md for the API")
            case .contentTooLarge:
                error = APIError(.contentTooLarge, code: "body_too_large", "the body is too large")
            default:
                error = APIError(thrown.status, code: "http_\(thrown.status.code)", thrown.status.reasonPhrase)
            }
        } catch {
            logger.error("unexpected error answering a request", metadata: [
                "http.method": "\(request.method.rawValue)", "http.path": "\(request.uri.path.prefix(200))",
                "error.message": "\(error)", "error.type": "\(type(of: error))",
            ])
            metrics.rejected(.internalError)
            return APIResponse.error(.internalError).response
        }
        metrics.rejected(error)
        return APIResponse.error(error).response
    }
}
