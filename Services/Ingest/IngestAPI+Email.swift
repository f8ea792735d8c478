import AgentryContracts
import Foundation

extension IngestAPI {
    /// `POST /v1/webhooks/email`: inbound email from a mail provider.
    ///
    /// The token (``EmailSettings/token``: `?token=`, `Authorization: Bearer` or `X-Agentry-Token`)
    /// is checked before the body is parsed (401 `invalid_token` otherwise). The body is a raw RFC 5322
    /// message (`message/rfc822` or `application/octet-stream`) or a provider's form
    /// (`multipart/form-data` or `application/x-www-form-urlencoded`: SendGrid Inbound Parse,
    /// Mailgun routes); 415 for anything else, 400 `invalid_email` when it cannot be decoded.
    /// ``EmailEventMapper`` decides whether it starts a run; an email answering one of a run's
    /// emails (by `In-Reply-To` / `References`) continues that run's thread. 200 once the broker
    /// confirmed `run.requested`.
    ///
    /// - Parameter queryToken: the URL's `token` parameter, if any.
    func receiveEmail(_ request: APIRequest, queryToken: String?) async -> APIResponse {
        await answer { () async throws(APIError) -> APIResponse in
            let settings = try Self.verifyEmailToken(request, queryToken: queryToken, settings: configuration.email)
            let email = try Self.decodeEmail(request)
            switch try EmailEventMapper(settings: settings).outcome(for: email, raw: request.body) {
            case .ignored(let reason):
                metrics.emailIgnored(reason: reason)
                return .json(.ok, EmailAcknowledgement(ok: true, ignored: reason))
            case .run(var run):
                let lookup = EmailEventMapper.threadLookup(email)
                if !lookup.isEmpty {
                    run.threadRunId = try await read { try await store.emailThread(tenant: settings.tenant, messageIds: lookup) }
                }
                let runId = try await requestRun(run, tenant: settings.tenant, traceparent: request.header("traceparent"))
                return .json(.ok, EmailAcknowledgement(
                    ok: true, runId: runId.wireString, threadRunId: run.threadRunId.map(\.wireString)))
            }
        }
    }

    /// Checks the inbound email token of `request` (its headers) or `queryToken`. The route calls it
    /// before reading the body too, so an unauthenticated caller cannot make the gateway buffer one.
    ///
    /// - Returns: the settings, when the token is theirs.
    /// - Throws: 404 `email_not_configured` without settings; 401 `invalid_token`.
    static func verifyEmailToken(
        _ request: APIRequest, queryToken: String?, settings: EmailSettings?
    ) throws(APIError) -> EmailSettings {
        guard let settings else {
            throw APIError(.notFound, code: "email_not_configured", "inbound email is disabled: AGENTRY_EMAIL_TOKEN is not set")
        }
        let presented = queryToken ?? request.bearerToken ?? request.header("x-agentry-token")
        guard settings.accepts(token: presented) else {
            throw APIError(
                .unauthorized, code: "invalid_token",
                "the request does not carry the inbound email token (?token=, Authorization: Bearer or X-Agentry-Token)",
                reason: presented == nil ? "token_missing" : "token_mismatch")
        }
        return settings
    }

    /// The email in `request`'s body, by its content type.
    ///
    /// - Throws: 415 for other content types; 400 `invalid_email` with the decoder's reason.
    static func decodeEmail(_ request: APIRequest) throws(APIError) -> InboundEmail {
        let contentType = request.header("content-type")
        let decode: () throws(EmailDecodingError) -> InboundEmail
        switch request.mediaType {
        case "message/rfc822", "application/octet-stream":
            decode = { () throws(EmailDecodingError) in try MIMEParser.parse(request.body) }
        case "multipart/form-data":
            decode = { () throws(EmailDecodingError) in
                try ProviderEmailForm.email(from: MultipartFormData.parse(request.body, contentType: contentType ?? ""))
            }
        case "application/x-www-form-urlencoded":
            decode = { () throws(EmailDecodingError) in try ProviderEmailForm.email(fromURLEncoded: request.body) }
        default:
            throw .unsupportedMediaType(
                contentType, expected: "a raw email (message/rfc822) or a mail provider's form (multipart/form-data, "
                    + "application/x-www-form-urlencoded)")
        }
        do {
            return try decode()
        } catch {
            throw APIError(.badRequest, code: "invalid_email", "the email could not be decoded: \(error.reason)")
        }
    }
}

/// The answer to an inbound email: the run it started (and the thread it continues), or why it was ignored.
struct EmailAcknowledgement: Codable, Sendable, Equatable {
    var ok: Bool
    var runId: String? = nil
    /// The first run of the thread this email's run continues.
    var threadRunId: String? = nil
    var ignored: String? = nil
}
