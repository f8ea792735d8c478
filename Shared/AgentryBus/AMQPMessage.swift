import Foundation

/// A header value carried in a message's AMQP headers table.
public enum AMQPHeaderValue: Sendable, Equatable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)

    /// The value as text, for headers that services read as strings.
    public var stringValue: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        }
    }
}

/// The AMQP basic properties Agentry uses, mirroring the envelope (DESIGN.md "The envelope").
public struct AMQPProperties: Sendable, Equatable {
    public var contentType: String?
    public var messageId: String?
    public var type: String?
    public var correlationId: String?
    public var replyTo: String?
    public var timestamp: Date?
    /// Per-message TTL in milliseconds, as the decimal string AMQP expects.
    public var expiration: String?
    /// True for delivery mode 2: the broker writes the message to disk.
    public var persistent: Bool
    public var headers: [String: AMQPHeaderValue]

    public init(
        contentType: String? = "application/json", messageId: String? = nil, type: String? = nil,
        correlationId: String? = nil, replyTo: String? = nil, timestamp: Date? = nil, expiration: String? = nil,
        persistent: Bool = true, headers: [String: AMQPHeaderValue] = [:]
    ) {
        self.contentType = contentType
        self.messageId = messageId
        self.type = type
        self.correlationId = correlationId
        self.replyTo = replyTo
        self.timestamp = timestamp
        self.expiration = expiration
        self.persistent = persistent
        self.headers = headers
    }
}

/// A message to publish: a body and its properties.
public struct AMQPMessage: Sendable, Equatable {
    public var body: Data
    public var properties: AMQPProperties

    public init(body: Data, properties: AMQPProperties = AMQPProperties()) {
        self.body = body
        self.properties = properties
    }
}
