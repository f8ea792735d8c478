import AgentryContracts
import AgentryHTTP
import Foundation

/// Reads a Slack Web API answer. Slack reports most failures with HTTP 200 and `"ok": false`, so
/// the body decides:
///
/// - `ok: true` → the posted message's channel and `ts`;
/// - `ok: false` with `ratelimited` or a server-side error (`internal_error`, `fatal_error`,
///   `service_unavailable`, `request_timeout`) → retryable;
/// - `ok: false` with anything else (`channel_not_found`, `not_in_channel`, `invalid_auth`,
///   `msg_too_long`, ...) → not retryable;
/// - HTTP 429 → retryable after `Retry-After`; 5xx → retryable; other statuses → not retryable.
public enum SlackAPIResponse {
    static let retryableErrors: Set<String> = [
        "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org",
    ]
    static let authorizationErrors: Set<String> = [
        "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired", "no_permission",
        "missing_scope", "not_allowed_token_type", "ekm_access_denied", "access_denied",
    ]
    static let notFoundErrors: Set<String> = ["channel_not_found", "thread_not_found", "user_not_found"]

    /// Interprets a `chat.postMessage` response.
    public static func interpret(_ response: HTTPResponse) -> Result<SlackPostResult, ChannelError> {
        let retryAfter = RetryAfter.parse(response.headers["Retry-After"])
        if response.status == 429 {
            return .failure(ChannelError(.rateLimited, channel: .slack, "HTTP 429 from Slack", retryAfter: retryAfter))
        }
        if response.status >= 500 {
            return .failure(ChannelError(.unavailable, channel: .slack, "HTTP \(response.status) from Slack",
                                         retryAfter: retryAfter))
        }
        guard (200..<300).contains(response.status) else {
            let code: ChannelError.Code = response.status == 401 || response.status == 403 ? .unauthorized
                : response.status == 404 ? .notFound : .rejected
            return .failure(ChannelError(code, channel: .slack, "HTTP \(response.status) from Slack"))
        }
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: response.body),
              let ok = body["ok"]?.boolValue
        else {
            return .failure(ChannelError(
                .badResponse, channel: .slack, "HTTP \(response.status) without a Slack API body (is the URL right?)"))
        }
        guard ok else {
            let error = body["error"]?.stringValue ?? "unknown_error"
            let code: ChannelError.Code =
                if error == "ratelimited" || error == "rate_limited" { .rateLimited }
                else if retryableErrors.contains(error) { .unavailable }
                else if authorizationErrors.contains(error) { .unauthorized }
                else if notFoundErrors.contains(error) { .notFound }
                else { .rejected }
            return .failure(ChannelError(code, channel: .slack, "Slack answered \(error)", retryAfter: retryAfter))
        }
        guard let ts = body["ts"]?.stringValue, !ts.isEmpty else {
            return .failure(ChannelError(.badResponse, channel: .slack, "Slack answered ok without the message ts"))
        }
        return .success(SlackPostResult(channel: body["channel"]?.stringValue ?? "", ts: ts))
    }
}
