/// Exchanges, queues and bindings to declare on a broker, re-declared after every reconnect.
///
/// Declarations are idempotent on the broker as long as their arguments do not change.
public struct AMQPTopology: Sendable, Equatable {
    /// An exchange declaration.
    public struct Exchange: Sendable, Equatable {
        public enum Kind: String, Sendable { case direct, topic, fanout, headers }
        public var name: String
        public var kind: Kind
        public var durable: Bool
        public var arguments: [String: AMQPHeaderValue]

        public init(_ name: String, kind: Kind, durable: Bool = true, arguments: [String: AMQPHeaderValue] = [:]) {
            self.name = name
            self.kind = kind
            self.durable = durable
            self.arguments = arguments
        }
    }

    /// A queue declaration. Quorum queues carry `x-queue-type: quorum` in their arguments.
    public struct Queue: Sendable, Equatable {
        public var name: String
        public var durable: Bool
        public var exclusive: Bool
        public var autoDelete: Bool
        public var arguments: [String: AMQPHeaderValue]

        public init(
            _ name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
            arguments: [String: AMQPHeaderValue] = [:]
        ) {
            self.name = name
            self.durable = durable
            self.exclusive = exclusive
            self.autoDelete = autoDelete
            self.arguments = arguments
        }

        /// A durable quorum queue that dead-letters into `deadLetterExchange` after `deliveryLimit`
        /// deliveries, so a poison message never blocks the queue.
        public static func quorum(_ name: String, deliveryLimit: Int, deadLetterExchange: String) -> Queue {
            Queue(name, arguments: [
                "x-queue-type": .string("quorum"),
                "x-delivery-limit": .int(Int64(deliveryLimit)),
                "x-dead-letter-exchange": .string(deadLetterExchange),
            ])
        }
    }

    /// A binding of a queue to an exchange.
    public struct Binding: Sendable, Equatable {
        public var queue: String
        public var exchange: String
        public var routingKey: String
        public var arguments: [String: AMQPHeaderValue]

        public init(queue: String, exchange: String, routingKey: String, arguments: [String: AMQPHeaderValue] = [:]) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
            self.arguments = arguments
        }
    }

    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    /// This topology followed by `other`'s declarations.
    public func merging(_ other: AMQPTopology) -> AMQPTopology {
        AMQPTopology(
            exchanges: exchanges + other.exchanges, queues: queues + other.queues, bindings: bindings + other.bindings
        )
    }
}
