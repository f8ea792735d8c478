internal import CCurl

/// Maps libcurl result codes onto ``HTTPClientError/Code``.
enum CurlErrorMapping {
    static func code(for code: CURLcode, connected: Bool) -> HTTPClientError.Code {
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            connected ? .timedOut : .connectTimedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_USE_SSL_FAILED:
            .tlsFailed
        case CURLE_TOO_MANY_REDIRECTS:
            .tooManyRedirects
        case CURLE_FILESIZE_EXCEEDED:
            .bodyTooLarge
        case CURLE_LOGIN_DENIED:
            .authenticationFailed
        case CURLE_ABORTED_BY_CALLBACK:
            .cancelled
        default:
            .transferFailed(Int(code.rawValue))
        }
    }
}
