import AgentryHTTP

extension HTTPClientError {
    /// This transport failure as a ``ChannelError``: a malformed request is the message's fault
    /// (not retryable), refused SMTP credentials are `unauthorized`, anything else (connection
    /// refused, timeout, TLS, an interrupted transfer) may pass and is retryable. The text keeps
    /// the redacted URL and libcurl's detail, never a credential.
    func channelError(_ channel: Channel) -> ChannelError {
        let code: ChannelError.Code = switch self.code {
        case .invalidURL, .invalidRequest: .invalidMessage
        case .authenticationFailed: .unauthorized
        default: .unavailable
        }
        return ChannelError(code, channel: channel, description)
    }
}
