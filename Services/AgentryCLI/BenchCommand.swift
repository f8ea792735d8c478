import ArgumentParser

/// `agentry bench`: throughput figures for the bus and the store, printed as one line each.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the bus and the store (scripts/bench compares them with C and pgbench).",
        subcommands: [BusBench.self, StoreBench.self])

    struct BusBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bus",
            abstract: "Publish with confirms and consume with acks, persistent, through the AMQP wrapper.",
            discussion: """
                Declares the classic durable queue bench.loop and purges it; one connection consumes with \
                prefetch = window and acks every message, another publishes persistent, mandatory messages \
                with at most `window` unconfirmed. Prints `bus swift messages=N seconds=S msgs_per_sec=R`, \
                measured from the first publish to the last ack.
                """)

        @Option(help: "Broker URL.") var url = "amqp://agentry:agentry@127.0.0.1:5673/%2F"
        @Option(help: "Messages to send.") var messages = 50_000
        @Option(help: "Unconfirmed publishes (and consumer prefetch) at most.") var window = 1_000
        @Option(help: "Body size in bytes.") var bodyBytes = 256

        func validate() throws {
            guard messages > 0, window > 0, window <= 65_535, bodyBytes >= 0 else {
                throw ValidationError("messages and window must be positive (window ≤ 65535), body-bytes ≥ 0")
            }
        }

        func run() async throws {
            let result = try await BusBenchmark(
                url: url, messages: messages, window: window, bodyBytes: bodyBytes
            ).run()
            print(String(
                format: "bus swift messages=%d seconds=%.3f msgs_per_sec=%.0f", messages, result,
                Double(messages) / result))
        }
    }

    struct StoreBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Single-row INSERT + commit from several connections through the libpq wrapper.",
            discussion: """
                Runs `INSERT INTO bench_insert (payload) VALUES ($1)` in autocommit from each connection until \
                the time is up, like pgbench with bench/store_insert.sql. Prints \
                `store swift connections=C seconds=S tps=R`.
                """)

        @Option(help: "Database URL.") var url = "postgres://agentry:agentry@127.0.0.1:55432/agentry"
        @Option(help: "Concurrent connections.") var connections = 4
        @Option(help: "Duration in seconds.") var seconds = 10.0

        func run() async throws {
            let result = try await runStoreBenchmark(url: url, connections: connections, seconds: seconds)
            print(String(
                format: "store swift connections=%d seconds=%.3f tps=%.0f", connections, result.seconds,
                Double(result.transactions) / result.seconds))
        }
    }
}
