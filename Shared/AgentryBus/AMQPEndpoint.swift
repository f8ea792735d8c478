import Foundation

/// Where and how to reach a RabbitMQ broker, parsed from an `amqp://user:pass@host:port/vhost` URL.
///
/// ```swift
/// let endpoint = try AMQPEndpoint(url: "amqp://agentry:secret@127.0.0.1:5672/%2F?heartbeat=30")
/// ```
/// The password is never part of ``description``.
public struct AMQPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var virtualHost: String
    /// Heartbeat interval negotiated with the broker, in seconds (`?heartbeat=`; default 30).
    public var heartbeatSeconds: Int
    /// TCP connect timeout, in seconds (`?connection_timeout=`; default 10).
    public var connectTimeoutSeconds: Int

    public init(
        host: String = "127.0.0.1", port: Int = 5672, user: String = "guest", password: String = "guest",
        virtualHost: String = "/", heartbeatSeconds: Int = 30, connectTimeoutSeconds: Int = 10
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Parses an AMQP URL. The path is the percent-encoded virtual host (`/%2F` or an empty path is `/`).
    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "amqp" else {
            throw AMQPError(.invalidURL, "expected amqp://user:pass@host:port/vhost")
        }
        guard let host = components.host, !host.isEmpty else {
            throw AMQPError(.invalidURL, "the URL has no host")
        }
        self.init(host: host)
        self.port = components.port ?? 5672
        self.user = components.percentEncodedUser?.removingPercentEncoding ?? "guest"
        self.password = components.percentEncodedPassword?.removingPercentEncoding ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            self.virtualHost = "/"
        } else {
            guard let decoded = String(path.dropFirst()).removingPercentEncoding else {
                throw AMQPError(.invalidURL, "the virtual host is not valid percent-encoding")
            }
            self.virtualHost = decoded
        }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "heartbeat":
                guard let value = item.value.flatMap(Int.init), value >= 0 else {
                    throw AMQPError(.invalidURL, "heartbeat must be a whole number of seconds")
                }
                heartbeatSeconds = value
            case "connection_timeout":
                guard let value = item.value.flatMap(Int.init), value > 0 else {
                    throw AMQPError(.invalidURL, "connection_timeout must be a positive number of seconds")
                }
                connectTimeoutSeconds = value
            default:
                continue
            }
        }
    }

    /// The URL without its password, safe for logs.
    public var description: String {
        let vhost = virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? virtualHost
        return "amqp://\(user)@\(host):\(port)/\(vhost)"
    }
}
