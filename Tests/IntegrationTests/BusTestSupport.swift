import AgentryBus
import AgentryTestSupport
import Foundation
import Logging

/// Connections and throw-away names for the bus integration tests.
enum BusFixture {
    static let logger: Logger = {
        var logger = Logger(label: "bus-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fast-reconnecting policy so broker restarts are survived quickly.
    static let fastReconnect = ReconnectPolicy(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(500))

    static func connect(_ name: String = "test") async throws -> AMQPConnection {
        try await AMQPConnection.connect(
            endpoint: AMQPEndpoint(url: TestStack.amqpURL()), name: name, policy: fastReconnect, logger: logger)
    }

    /// A unique name for a queue or exchange owned by one test.
    static func unique(_ prefix: String) -> String {
        "test.\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func message(_ text: String, id: String? = nil) -> AMQPMessage {
        AMQPMessage(body: Data(text.utf8), properties: AMQPProperties(contentType: "text/plain", messageId: id))
    }
}

/// Collects deliveries from a consumer task so tests can wait on what arrived.
actor DeliveryLog {
    private(set) var deliveries: [AMQPDelivery] = []
    func append(_ delivery: AMQPDelivery) { deliveries.append(delivery) }
    var count: Int { deliveries.count }
    var bodies: [String] { deliveries.map { String(decoding: $0.body, as: UTF8.self) } }
}

extension AMQPConsumer {
    /// Consumes in a task, appending every delivery to `log` and calling `onDelivery`.
    func collect(into log: DeliveryLog, onDelivery: @escaping @Sendable (AMQPDelivery) -> Void = { _ in })
        -> Task<Void, any Error>
    {
        Task {
            for try await delivery in self {
                await log.append(delivery)
                onDelivery(delivery)
            }
        }
    }
}
