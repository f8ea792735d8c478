@testable import AgentryAuditWriter
import AgentryAudit
import AgentryBus
import AgentryContracts
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// The writer's batching and settlement rules, over the in-memory bus and a recording sink.
@Suite struct AuditWriterServiceTests {
    @Test func aFullBatchIsAppendedAtOnceAndAcknowledged() async throws {
        let harness = AuditHarness(batchSize: 5, window: .seconds(60))
        try await harness.run { _ in
            let envelopes = try await harness.publish(10)
            try await eventually("two full batches appended") { await harness.sink.batches.count == 2 }
            #expect(await harness.sink.batches == [Array(envelopes[0..<5].map(\.id)), Array(envelopes[5..<10].map(\.id))])
            try await eventually("all acknowledged") { harness.bus.unsettledCount(AuditHarnessQueue.name) == 0 }
            #expect(harness.bus.readyCount(AuditHarnessQueue.name) == 0)
        }
    }

    // The windows of the tests that expect their envelopes in one batch are long enough that a loaded
    // machine cannot close the batch between two publishes.
    @Test func aPartialBatchIsAppendedWhenItsWindowPasses() async throws {
        let harness = AuditHarness(batchSize: 100, window: .seconds(2))
        try await harness.run { _ in
            let envelopes = try await harness.publish(3)
            try await eventually("the batch appended") { await harness.sink.batches.count == 1 }
            #expect(await harness.sink.batches == [envelopes.map(\.id)])
            try await eventually("all acknowledged") { harness.bus.unsettledCount(AuditHarnessQueue.name) == 0 }
        }
    }

    @Test func redeliveredEnvelopesAreAcknowledgedWithoutANewEntry() async throws {
        let harness = AuditHarness(batchSize: 100, window: .milliseconds(20))
        try await harness.run { _ in
            let envelope = AuditHarness.envelope()
            try await harness.bus.publish(envelope, to: .queue(AuditHarnessQueue.name))
            try await eventually("appended") { await harness.sink.stored.count == 1 }
            try await harness.bus.publish(envelope, to: .queue(AuditHarnessQueue.name))
            try await eventually("seen twice") { await harness.sink.batches.count == 2 }
            try await eventually("all acknowledged") { harness.bus.unsettledCount(AuditHarnessQueue.name) == 0 }
            #expect(await harness.sink.stored == [envelope.id])
            #expect(harness.bus.readyCount("dead.letters") == 0)
        }
    }

    @Test func anUndecodableDeliveryIsDeadLetteredAndNeverAppended() async throws {
        let harness = AuditHarness(batchSize: 100, window: .milliseconds(20))
        try await harness.run { _ in
            try harness.bus.publishRaw(Data(#"{"type":"mystery.event","version":1}"#.utf8),
                                       to: .queue(AuditHarnessQueue.name))
            let good = try await harness.publish(1)
            try await eventually("the good one appended") { await harness.sink.stored == good.map(\.id) }
            try await eventually("the bad one dead-lettered") { harness.bus.readyCount("dead.letters") == 1 }
            #expect(await harness.sink.batches == [good.map(\.id)])
        }
    }

    @Test func aDatabaseOutageIsRetriedWithoutRedelivery() async throws {
        let harness = AuditHarness(batchSize: 100, window: .seconds(2))
        await harness.sink.failNext([
            PostgresError(.connectionLost, "server closed the connection unexpectedly"),
            PostgresError(.server, "the database system is starting up", sqlState: "57P03"),
            PostgresError(.server, "relation \"audit_log\" does not exist", sqlState: "42P01"),
        ])
        try await harness.run { _ in
            let envelopes = try await harness.publish(3)
            try await eventually("appended after three failures") { await harness.sink.stored.count == 3 }
            // The same batch each time, held unacknowledged: no delivery went back to the queue.
            #expect(await harness.sink.batches == Array(repeating: envelopes.map(\.id), count: 4))
            try await eventually("all acknowledged") { harness.bus.unsettledCount(AuditHarnessQueue.name) == 0 }
            #expect(harness.bus.readyCount(AuditHarnessQueue.name) == 0)
            #expect(harness.bus.readyCount("dead.letters") == 0)
        }
    }

    @Test func anEnvelopeTheDatabaseRefusesIsDeadLetteredAlone() async throws {
        let harness = AuditHarness(batchSize: 4, window: .seconds(60))
        let envelopes = (0..<4).map { _ in AuditHarness.envelope() }
        await harness.sink.poison(envelopes[2].id)
        try await harness.run { _ in
            for envelope in envelopes { try await harness.bus.publish(envelope, to: .queue(AuditHarnessQueue.name)) }
            try await eventually("the others appended") { await harness.sink.stored.count == 3 }
            #expect(await harness.sink.stored == [envelopes[0].id, envelopes[1].id, envelopes[3].id])
            try await eventually("the refused one dead-lettered") { harness.bus.readyCount("dead.letters") == 1 }
            try await eventually("all settled") { harness.bus.unsettledCount(AuditHarnessQueue.name) == 0 }
        }
    }

    @Test func gracefulShutdownAppendsTheBatchBeingCollected() async throws {
        let harness = AuditHarness(batchSize: 100, window: .seconds(600))
        try await harness.run { trigger in
            let envelopes = try await harness.publish(3)
            try await eventually("three collected") { harness.log.count(of: "envelope collected") == 3 }
            #expect(await harness.sink.batches.isEmpty)
            trigger.triggerGracefulShutdown()
            try await eventually("flushed on shutdown") { await harness.sink.stored == envelopes.map(\.id) }
            try await eventually("all acknowledged") { harness.bus.unsettledCount(AuditHarnessQueue.name) == 0 }
            #expect(harness.bus.readyCount(AuditHarnessQueue.name) == 0)
        }
    }

    @Test func aBatchThatCannotBeAppendedWhileStoppingIsHandedBack() async throws {
        let harness = AuditHarness(batchSize: 100, window: .seconds(600))
        await harness.sink.failAlways(PostgresError(.connectionFailed, "could not connect to server"))
        try await harness.run { trigger in
            _ = try await harness.publish(2)
            try await eventually("two collected") { harness.log.count(of: "envelope collected") == 2 }
            trigger.triggerGracefulShutdown()
        }
        #expect(harness.bus.readyCount(AuditHarnessQueue.name) == 2)
        #expect(harness.bus.unsettledCount(AuditHarnessQueue.name) == 0)
        #expect(await harness.sink.stored.isEmpty)
    }

    @Test(arguments: [
        (PostgresError(.server, "unsupported Unicode escape sequence", sqlState: "22P05") as any Error, true),
        (PostgresError(.server, "violates check constraint", sqlState: "23514"), true),
        (PostgresError(.encoding, "parameter $3: NUL byte"), true),
        (PostgresError(.server, "relation does not exist", sqlState: "42P01"), false),
        (PostgresError(.server, "permission denied", sqlState: "42501"), false),
        (PostgresError(.connectionLost, "lost"), false),
        (PostgresError(.timeout, "no connection"), false),
        (CancellationError(), false),
    ])
    func failuresCausedByContentAreToldApart(_ error: any Error, _ causedByContent: Bool) {
        #expect(AuditWriterService.isCausedByContent(error) == causedByContent)
    }

    @Test func configurationReadsItsVariables() throws {
        let defaults = try AuditWriterConfiguration(environment: [:])
        #expect(defaults == AuditWriterConfiguration(batchSize: 200, batchWindow: .milliseconds(50), prefetch: 400,
                                                     queue: "audit.log"))
        let custom = try AuditWriterConfiguration(environment: [
            "AGENTRY_AUDIT_BATCH_SIZE": "20", "AGENTRY_AUDIT_BATCH_MILLISECONDS": "5",
            "AGENTRY_AUDIT_QUEUE": "audit.copy",
        ])
        #expect(custom == AuditWriterConfiguration(batchSize: 20, batchWindow: .milliseconds(5), prefetch: 40,
                                                   queue: "audit.copy"))
        #expect(try AuditWriterConfiguration(environment: ["AGENTRY_AUDIT_PREFETCH": "7"]).prefetch == 7)
        #expect(throws: (any Error).self) {
            try AuditWriterConfiguration(environment: ["AGENTRY_AUDIT_BATCH_SIZE": "0"])
        }
    }
}

/// The queue the harness's writer consumes: bound like `audit.log`, with a delivery limit.
enum AuditHarnessQueue {
    static let name = "audit.test"
}

/// A writer over an in-memory bus and a recording sink, run until the body returns.
struct AuditHarness {
    let bus: InMemoryBus
    let sink = AuditRecordingSink()
    let log = AuditRecordedLog()
    let service: AuditWriterService

    init(batchSize: Int, window: Duration) {
        var topology = AgentryTopology.standard()
        topology.queues.append(.quorum(AuditHarnessQueue.name, deliveryLimit: 5,
                                       deadLetterExchange: AgentryTopology.deadExchange))
        bus = InMemoryBus(topology: topology)
        var logger = Logger(label: "audit-writer-test") { [log] _ in AuditRecordingLogHandler(log: log) }
        logger.logLevel = .trace
        service = AuditWriterService(
            configuration: AuditWriterConfiguration(batchSize: batchSize, batchWindow: window,
                                                    queue: AuditHarnessQueue.name),
            bus: bus, sink: sink, logger: logger, initialRetryDelay: .milliseconds(5),
            maximumRetryDelay: .milliseconds(20))
    }

    static func envelope() -> Envelope {
        Envelope(tenant: "acme", runId: UUID(), payload: .runFailed(RunFailed(reason: "test")))
    }

    /// Publishes `count` new envelopes to the writer's queue.
    func publish(_ count: Int) async throws -> [Envelope] {
        var envelopes: [Envelope] = []
        for _ in 0..<count {
            let envelope = Self.envelope()
            try await bus.publish(envelope, to: .queue(AuditHarnessQueue.name))
            envelopes.append(envelope)
        }
        return envelopes
    }

    /// Runs the writer while `body` runs, then shuts it down gracefully (if the body did not) and
    /// waits for it to return.
    func run(_ body: @Sendable (GracefulShutdownTestTrigger) async throws -> Void) async throws {
        let service = self.service
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                do {
                    try await body(trigger)
                } catch {
                    trigger.triggerGracefulShutdown()
                    try? await group.waitForAll()
                    throw error
                }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }
}

/// An ``AuditSink`` that records each batch, deduplicates by envelope id and fails on request.
actor AuditRecordingSink: AuditSink {
    private(set) var batches: [[UUID]] = []
    private(set) var stored: [UUID] = []
    private var failures: [any Error] = []
    private var permanentFailure: (any Error)?
    private var poisoned: Set<UUID> = []

    func failNext(_ errors: [any Error]) { failures = errors }
    func failAlways(_ error: any Error) { permanentFailure = error }
    func poison(_ id: UUID) { poisoned.insert(id) }

    func append(_ envelopes: [Envelope]) async throws -> AuditAppendResult {
        batches.append(envelopes.map(\.id))
        if let permanentFailure { throw permanentFailure }
        if !failures.isEmpty { throw failures.removeFirst() }
        if envelopes.contains(where: { poisoned.contains($0.id) }) {
            throw PostgresError(.server, "unsupported Unicode escape sequence", sqlState: "22P05")
        }
        var appended: [AuditEntry] = []
        var duplicates: [UUID] = []
        for envelope in envelopes {
            if stored.contains(envelope.id) {
                duplicates.append(envelope.id)
                continue
            }
            stored.append(envelope.id)
            let content = AuditEntryContent(
                envelopeId: envelope.id, occurredAtMilliseconds: 0, tenant: envelope.tenant, runId: envelope.runId,
                actor: "director", action: envelope.type.rawValue, payloadText: "{}")
            appended.append(AuditEntry(seq: Int64(stored.count), content: content, prevHash: nil, hash: ""))
        }
        return AuditAppendResult(appended: appended, duplicates: duplicates)
    }
}

/// Log messages kept in memory.
final class AuditRecordedLog: Sendable {
    private let messages = Mutex<[String]>([])
    func append(_ message: String) { messages.withLock { $0.append(message) } }
    func count(of message: String) -> Int { messages.withLock { $0.filter { $0 == message }.count } }
}

/// A log handler that records each message.
struct AuditRecordingLogHandler: LogHandler {
    let log: AuditRecordedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { log.append(event.message.description) }
}
