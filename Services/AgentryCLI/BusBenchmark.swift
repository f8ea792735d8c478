import AgentryBus
import Foundation
import Logging

/// The bus half of `agentry bench bus`: the same workload as bench/amqp_bench.c, through the wrapper.
struct BusBenchmark {
    static let queue = "bench.loop"

    let url: String
    let messages: Int
    let window: Int
    let bodyBytes: Int

    /// Runs the loop and returns the seconds from the first publish to the last ack.
    func run() async throws -> Double {
        let (publisher, consumer) = try await connect()
        do {
            let seconds = try await loop(publisher: publisher, consumer: consumer)
            await publisher.close()
            await consumer.close()
            return seconds
        } catch {
            await publisher.close()
            await consumer.close()
            throw error
        }
    }

    private func connect() async throws -> (AMQPConnection, AMQPConnection) {
        var logger = Logger(label: "agentry.bench")
        logger.logLevel = .warning
        let endpoint = try AMQPEndpoint(url: url)
        let publisher = try await AMQPConnection.connect(endpoint: endpoint, name: "bench-publisher", logger: logger)
        let consumer = try await AMQPConnection.connect(endpoint: endpoint, name: "bench-consumer", logger: logger)
        return (publisher, consumer)
    }

    private func loop(publisher: AMQPConnection, consumer: AMQPConnection) async throws -> Double {
        try await publisher.declare(AMQPTopology(queues: [.init(Self.queue)]))
        try await publisher.purge(queue: Self.queue)

        let deliveries = try await consumer.consume(queue: Self.queue, prefetch: UInt16(window))
        let total = messages
        let clock = ContinuousClock()
        let start = clock.now
        let consuming = Task {
            var received = 0
            for try await delivery in deliveries {
                delivery.ack()
                received += 1
                if received == total { break }
            }
            return clock.now
        }
        let message = AMQPMessage(
            body: Data(repeating: UInt8(ascii: "x"), count: bodyBytes),
            properties: AMQPProperties(contentType: "application/octet-stream"))
        let lanes = min(window, messages)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                let share = messages / lanes + (lane < messages % lanes ? 1 : 0)
                group.addTask {
                    for _ in 0..<share {
                        try await publisher.publish(message, exchange: "", routingKey: Self.queue)
                    }
                }
            }
            try await group.waitForAll()
        }
        let end = try await consuming.value
        return (end - start).seconds
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
