/// An error from the AMQP bus: a ``Code`` plus the context that explains it.
///
/// `code.description` is short and stable, safe to use as a metric label.
public struct AMQPError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// The URL could not be parsed.
        case invalidURL = "invalid_url"
        /// The TCP connection or the AMQP handshake failed.
        case connectFailed = "connect_failed"
        /// The broker refused the credentials or the virtual host.
        case loginFailed = "login_failed"
        /// The connection is not established right now (the bus is reconnecting).
        case notConnected = "not_connected"
        /// The connection dropped while the operation was in flight; its outcome is unknown.
        case connectionLost = "connection_lost"
        /// The connection was closed by its owner.
        case closed = "closed"
        /// The broker returned a mandatory message: no queue is bound for its routing key.
        case unroutable = "unroutable"
        /// The broker negatively acknowledged a published message.
        case nacked = "nacked"
        /// The broker closed the channel or refused a method (e.g. a declaration mismatch).
        case channelClosed = "channel_closed"
        /// A socket or protocol error from librabbitmq.
        case protocolError = "protocol_error"
        /// The operation did not finish before its deadline.
        case timedOut = "timed_out"
    }

    public let code: Code
    /// Human-readable detail: the broker's reply text, librabbitmq's error string, the queue.
    public let detail: String
    /// The AMQP reply code from the broker, when there is one (e.g. 312 NO_ROUTE, 404 NOT_FOUND, 406).
    public let replyCode: Int?

    public init(_ code: Code, _ detail: String, replyCode: Int? = nil) {
        self.code = code
        self.detail = detail
        self.replyCode = replyCode
    }

    public var description: String {
        if let replyCode { return "AMQP \(code.rawValue) (\(replyCode)): \(detail)" }
        return "AMQP \(code.rawValue): \(detail)"
    }
}
