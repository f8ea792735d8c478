import AgentryContracts

/// Where an envelope is published: an exchange and a routing key.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public var exchange: String
    public var routingKey: String

    public init(exchange: String, routingKey: String) {
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// A fact on the topic events exchange, routed by its envelope type.
    public static func event(_ type: EnvelopeType) -> Route {
        Route(exchange: AgentryTopology.eventsExchange, routingKey: type.rawValue)
    }

    /// Step work for a specialist kind (`code`, `data`, `comm`, `browser`) on the direct work exchange.
    public static func work(_ kind: String) -> Route {
        Route(exchange: AgentryTopology.workExchange, routingKey: kind)
    }

    /// Straight to a named queue through the default exchange (replies, the approval reply queue).
    public static func queue(_ name: String) -> Route {
        Route(exchange: "", routingKey: name)
    }

    public var description: String { exchange.isEmpty ? "queue \(routingKey)" : "\(exchange) → \(routingKey)" }
}
