import AgentryBus
import AgentryContracts
import AgentryHTTP
import AgentryTestSupport
import Foundation
import Logging
import Synchronization

/// The model gateway benchmark (`scripts/bench gateway`): prints figures, asserts nothing.
///
/// 1. Latency: the same chat completion against the fake provider, once directly over HTTP and
///    once through the bus and a real `agentry-model-gateway` process (request on
///    `model.requests`, reply on a reply queue), alternating, one at a time; p50 and p99 of both
///    and of the difference.
/// 2. Memory: the gateway's resident set after 1,000 requests and after 100,000 (in flight 64 at
///    a time), and their ratio.
///
/// Needs `AGENTRY_TEST_AMQP_URL` (best a vhost of its own) and `AGENTRY_TEST_DATABASE_URL` (a
/// throw-away database is created and dropped on that server).
@main
struct GatewayBenchmark {
    static func main() async {
        do {
            try await run(Options(arguments: Array(CommandLine.arguments.dropFirst())))
        } catch {
            FileHandle.standardError.write(Data("gateway bench: \(error)\n".utf8))
            exit(1)
        }
    }

    struct Options {
        var gateway = ".build/release/agentry-model-gateway"
        var latencyRequests = 2_000
        var memoryRequests = 100_000
        var baselineRequests = 1_000
        var concurrency = 64

        init(arguments: [String]) throws {
            var iterator = arguments.makeIterator()
            while let argument = iterator.next() {
                guard let value = iterator.next() else { throw BenchError("\(argument) needs a value") }
                switch argument {
                case "--gateway": gateway = value
                case "--latency-requests": latencyRequests = try Self.number(value, argument)
                case "--memory-requests": memoryRequests = try Self.number(value, argument)
                case "--baseline-requests": baselineRequests = try Self.number(value, argument)
                case "--concurrency": concurrency = try Self.number(value, argument)
                default: throw BenchError("unknown option \(argument)")
                }
            }
            guard memoryRequests > baselineRequests else { throw BenchError("--memory-requests must exceed --baseline-requests") }
        }

        static func number(_ text: String, _ option: String) throws -> Int {
            guard let value = Int(text), value > 0 else { throw BenchError("\(option) must be a positive whole number") }
            return value
        }
    }

    static func run(_ options: Options) async throws {
        var logger = Logger(label: "gateway-bench")
        logger.logLevel = .warning
        let fake = try await FakeModelProvider.start(recordLimit: 0)
        fake.setDefault(.reply(content: "The incident was caused by an expired certificate.", promptTokens: 40, completionTokens: 12))
        let client = HTTPClient()
        defer { Task { await client.shutdown() } }
        try await TestDatabase.withFresh(prefix: "agentry_bench_gateway", poolSize: 1, logger: logger) { _, database in
            let amqpURL = try TestStack.amqpURL()
            let databaseURL = try databaseURLString(database.database ?? "")
            let port = Int.random(in: 20_000...29_000)
            let configuration = """
                {"providers": [{"name": "fake", "kind": "openai", "baseURL": "\(fake.openAIBaseURL)"}],
                 "aliases": {"bench": [{"provider": "fake", "model": "bench-model", "contextWindow": 128000,
                                        "inputPerMillion": 0.15, "outputPerMillion": 0.6, "stream": false}]},
                 "cache": {"enabled": false}}
                """
            let gateway = try SpawnedProcess(path: options.gateway, environment: [
                "AGENTRY_AMQP_URL": amqpURL, "AGENTRY_DATABASE_URL": databaseURL, "AGENTRY_HTTP_PORT": "\(port)",
                "AGENTRY_MODEL_CONFIG": configuration, "AGENTRY_LOG_LEVEL": "warning", "AGENTRY_PREFETCH": "128",
                "AGENTRY_DB_POOL_SIZE": "16", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ])
            defer { gateway.terminate() }
            try await waitUntilReady(port: port, client: client, gateway: gateway)

            let endpoint = try AMQPEndpoint(url: amqpURL)
            let connection = try await AMQPConnection.connect(endpoint: endpoint, name: "gateway-bench", logger: logger)
            let bus = AMQPBus(connection: connection)
            let replyQueue = "bench.model.replies.\(UUID().uuidString.prefix(8).lowercased())"
            try await connection.declare(AMQPTopology(queues: [.init(replyQueue, durable: false, autoDelete: true)]))
            let waiter = ReplyWaiter()
            let subscription = try await bus.subscribe(to: replyQueue, prefetch: 512)
            let listener = Task {
                for try await delivery in subscription {
                    if let envelope = try? delivery.envelope(), let id = envelope.correlationId { waiter.resume(id, with: envelope) }
                    delivery.ack()
                }
            }
            defer { listener.cancel() }

            var sequence = 0
            func nextText() -> String {
                sequence += 1
                return "Summarise incident INC-\(sequence) for the weekly report."
            }
            let caller = GatewayCaller(bus: bus, waiter: waiter, replyQueue: replyQueue)
            let directCaller = DirectCaller(client: client, url: fake.openAIBaseURL + "/chat/completions")
            func viaGateway(_ text: String) async throws -> Duration { try await caller.call(text) }
            func direct(_ text: String) async throws -> Duration { try await directCaller.call(text) }

            // Warm both paths up.
            for _ in 0..<200 {
                _ = try await direct(nextText())
                _ = try await viaGateway(nextText())
            }
            var directTimes: [Duration] = []
            var gatewayTimes: [Duration] = []
            for _ in 0..<options.latencyRequests {
                directTimes.append(try await direct(nextText()))
                gatewayTimes.append(try await viaGateway(nextText()))
            }
            let directP50 = percentile(directTimes, 0.50), directP99 = percentile(directTimes, 0.99)
            let gatewayP50 = percentile(gatewayTimes, 0.50), gatewayP99 = percentile(gatewayTimes, 0.99)
            print("gateway bench: latency over \(options.latencyRequests) sequential requests each")
            print("  direct to the fake provider:   p50 \(ms(directP50)) ms  p99 \(ms(directP99)) ms")
            print("  through the bus and gateway:   p50 \(ms(gatewayP50)) ms  p99 \(ms(gatewayP99)) ms")
            print("  added by the gateway:          p50 \(ms(gatewayP50 - directP50)) ms  p99 \(ms(gatewayP99 - directP99)) ms")

            // Memory: the gateway's resident set after the baseline and after all requests.
            let done = Counter()
            func load(_ total: Int) async throws -> Duration {
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    var issued = 0
                    while issued < min(options.concurrency, total) {
                        let text = nextText()
                        group.addTask { _ = try await caller.call(text) }
                        issued += 1
                    }
                    while try await group.next() != nil {
                        done.add()
                        if issued < total {
                            let text = nextText()
                            group.addTask { _ = try await caller.call(text) }
                            issued += 1
                        }
                    }
                }
                return started.duration(to: .now)
            }
            let baselineTime = try await load(options.baselineRequests)
            let baseline = try gateway.residentKilobytes()
            // Readings on the way: growth that continues is a leak, growth that stops is warm-up.
            var readings: [(requests: Int, kilobytes: Int)] = [(options.baselineRequests, baseline)]
            var served = options.baselineRequests
            let restStarted = ContinuousClock.now
            for fraction in [0.1, 0.25, 0.5, 0.75, 1.0] {
                let target = max(served, Int(Double(options.memoryRequests) * fraction))
                guard target > served else { continue }
                _ = try await load(target - served)
                served = target
                readings.append((served, try gateway.residentKilobytes()))
            }
            let restTime = restStarted.duration(to: .now)
            let after = readings.last?.kilobytes ?? baseline
            let peak = try gateway.peakResidentKilobytes()
            let rate = Double(options.memoryRequests - options.baselineRequests) / restTime.seconds
            print("gateway bench: memory, \(options.concurrency) requests in flight")
            print("  resident after \(options.baselineRequests) requests:    \(baseline / 1024) MiB (\(baseline) kB, \(String(format: "%.0f", Double(options.baselineRequests) / baselineTime.seconds)) requests/s)")
            for reading in readings.dropFirst() {
                print("  resident after \(reading.requests) requests: \(reading.kilobytes / 1024) MiB (\(reading.kilobytes) kB)")
            }
            print("  throughput after the baseline: \(String(format: "%.0f", rate)) requests/s; peak resident \(peak / 1024) MiB")
            print("  ratio after \(options.memoryRequests) / after \(options.baselineRequests): \(String(format: "%.3f", Double(after) / Double(baseline)))")
            if let tenth = readings.first(where: { $0.requests >= options.memoryRequests / 10 }) {
                print("  ratio after \(options.memoryRequests) / after \(tenth.requests): \(String(format: "%.3f", Double(after) / Double(tenth.kilobytes)))")
            }
            print("  requests answered:            \(done.value + options.latencyRequests + 400) (fake provider served \(fake.totalRequestCount))")
        }
        await fake.stop()
    }

    static func waitUntilReady(port: Int, client: HTTPClient, gateway: SpawnedProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard gateway.isRunning else { throw BenchError("the gateway exited during start-up") }
            if let response = try? await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz")), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("the gateway was not ready within 60 s")
    }

    /// The test server's URL with the throw-away database's name as its path.
    static func databaseURLString(_ database: String) throws -> String {
        guard var components = URLComponents(string: try TestStack.databaseURL()) else {
            throw BenchError("AGENTRY_TEST_DATABASE_URL is not a URL")
        }
        components.path = "/" + database
        guard let url = components.string else { throw BenchError("no database URL for \(database)") }
        return url
    }

    static func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func ms(_ duration: Duration) -> String { String(format: "%.3f", duration.seconds * 1000) }
}

/// Sends one request through the bus and waits for the gateway's reply.
struct GatewayCaller: Sendable {
    let bus: AMQPBus
    let waiter: ReplyWaiter
    let replyQueue: String

    func call(_ text: String) async throws -> Duration {
        let envelope = Envelope(tenant: "bench", payload: .modelRequest(ModelRequest(
            alias: "bench", messages: [.system("Be brief."), .user(text)], maxTokens: 64, cache: false)))
        let started = ContinuousClock.now
        async let reply = waiter.reply(to: envelope.id)
        try await bus.publish(envelope, to: .queue("model.requests"), replyTo: replyQueue, delay: nil)
        let answer = try await reply
        guard case .modelReply(let payload) = answer.payload, payload.error == nil else {
            throw BenchError("the gateway answered with an error: \(answer.payload)")
        }
        return started.duration(to: .now)
    }
}

/// Sends the same chat completion straight to the fake provider.
struct DirectCaller: Sendable {
    let client: HTTPClient
    let url: String

    func call(_ text: String) async throws -> Duration {
        let body = #"{"model":"bench-model","max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"\#(text)"}]}"#
        var request = HTTPRequest(url: url, method: .post, body: Data(body.utf8))
        request.headers.add(name: "Content-Type", value: "application/json")
        let started = ContinuousClock.now
        let response = try await client.execute(request)
        guard response.status == 200 else { throw BenchError("the fake provider answered \(response.status)") }
        return started.duration(to: .now)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Matches replies to the requests waiting for them, by correlation id.
final class ReplyWaiter: Sendable {
    private let state = Mutex<(waiting: [UUID: CheckedContinuation<Envelope, any Error>], early: [UUID: Envelope])>(([:], [:]))

    func reply(to id: UUID) async throws -> Envelope {
        try await withCheckedThrowingContinuation { continuation in
            let early = state.withLock { state -> Envelope? in
                if let envelope = state.early.removeValue(forKey: id) { return envelope }
                state.waiting[id] = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
    }

    func resume(_ id: UUID, with envelope: Envelope) {
        let continuation = state.withLock { state in
            if let waiting = state.waiting.removeValue(forKey: id) { return Optional(waiting) }
            state.early[id] = envelope
            return nil
        }
        continuation?.resume(returning: envelope)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
