@testable import AgentryAuditWriter
import AgentryAudit
import AgentryBus
import AgentryContracts
import AgentryStore
import AgentryTestSupport
import Foundation
import ServiceLifecycle
import Testing

extension Result where Failure == any Error {
    /// The outcome of an asynchronous throwing body.
    fileprivate init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}

extension StoreIntegrationTests {
    /// The audit log over the real database: batches, idempotency, the chain, tampering.
    /// Nested in the store suites so that a database restart by the recovery tests never lands mid-test.
    @Suite struct AuditLog {
        @Test func aBatchIsAppendedChainedAndVerifies() async throws {
            try await AuditFixture.withDatabase { client in
                let runId = UUID()
                try await AuditFixture.insertRun(runId, on: client)
                let envelopes = AuditFixture.runEnvelopes(runId: runId)
                let result = try await AgentryAudit.AuditLog(client: client).append(envelopes)

                #expect(result.duplicates.isEmpty)
                #expect(result.appended.map(\.content.envelopeId) == envelopes.map(\.id))
                #expect(result.appended.first?.prevHash == nil)
                for (previous, entry) in zip(result.appended, result.appended.dropFirst()) {
                    #expect(entry.prevHash == previous.hash)
                    #expect(entry.seq > previous.seq)
                }
                #expect(result.appended.allSatisfy { AuditHash.isWellFormed($0.hash) && $0.hashMatchesContent })
                #expect(result.appended.map(\.content.actor)
                    == ["ingest", "director", "data-worker", "alice@example.com", "director"])

                let rows = try await client.query("""
                    SELECT actor, action, tenant, run_id, payload->>'id' AS id, prev_hash, hash
                    FROM audit_log ORDER BY seq
                    """)
                #expect(rows.count == 5)
                #expect(try rows.map { try $0.decode(String.self, column: "action") } == envelopes.map(\.type.rawValue))
                #expect(try rows.map { try $0.decode(String.self, column: "id") }
                    == envelopes.map { $0.id.uuidString.lowercased() })
                #expect(try rows.map { try $0.decode(String.self, column: "hash") } == result.appended.map(\.hash))

                let outcome = try await AuditVerifier(client: client, pageSize: 2).verify()
                #expect(outcome.isIntact)
                #expect(outcome.entries == 5)
                #expect(outcome.head == result.appended.last?.hash)
                #expect(outcome.summary == "audit chain verified: 5 entries, head \(result.appended.last!.hash)")
            }
        }

        @Test func theStoredPayloadIsTheWholeEnvelope() async throws {
            try await AuditFixture.withDatabase { client in
                let envelopes = AuditFixture.runEnvelopes()
                _ = try await AgentryAudit.AuditLog(client: client).append(envelopes)
                let row = try #require(try await client.query("""
                    SELECT payload::text FROM audit_log WHERE envelope_id = \(envelopes[2].id)
                    """).first)
                let stored = try EnvelopeCodec().decode(Data(try row.decode(String.self, at: 0).utf8))
                #expect(stored == envelopes[2])
            }
        }

        @Test func aRedeliveredEnvelopeAddsNothing() async throws {
            try await AuditFixture.withDatabase { client in
                let log = AgentryAudit.AuditLog(client: client)
                let first = AuditFixture.runEnvelopes()
                let appended = try await log.append(first)
                let late = Envelope(tenant: "acme", payload: .runFailed(RunFailed(reason: "late")))
                let again = try await log.append([first[3], late, first[0], late])
                #expect(again.appended.map(\.content.envelopeId) == [late.id])
                #expect(Set(again.duplicates) == [first[3].id, first[0].id, late.id])
                #expect(again.appended.first?.prevHash == appended.appended.last?.hash)
                let nothing = try await log.append(first)
                #expect(nothing.appended.isEmpty)
                #expect(nothing.duplicates.count == first.count)
                #expect(try await AuditFixture.count(on: client) == 6)
                #expect(try await AuditVerifier(client: client).verify().entries == 6)
            }
        }

        @Test func concurrentWritersNeverForkTheChain() async throws {
            try await AuditFixture.withDatabase { client in
                let log = AgentryAudit.AuditLog(client: client)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            for _ in 0..<8 { _ = try await log.append(AuditFixture.runEnvelopes()) }
                        }
                    }
                    try await group.waitForAll()
                }
                let outcome = try await AuditVerifier(client: client, pageSize: 7).verify()
                #expect(outcome.isIntact, "\(outcome.summary)")
                #expect(outcome.entries == 4 * 8 * 5)
            }
        }

        @Test func theDocumentedSQLRecomputesEveryHash() async throws {
            try await AuditFixture.withDatabase { client in
                _ = try await AgentryAudit.AuditLog(client: client).append(
                    AuditFixture.runEnvelopes() + AuditFixture.runEnvelopes(tenant: "tenant with\nnewline ✓"))
                let rows = try await client.query("""
                    WITH f AS (SELECT seq, prev_hash, hash, ARRAY[coalesce(prev_hash, ''), envelope_id::text,
                                  ((extract(epoch FROM occurred_at) * 1000)::bigint)::text, tenant,
                                  coalesce(run_id::text, ''), actor, action, payload::text] AS fields
                               FROM audit_log)
                    SELECT seq, hash = encode(sha256(convert_to('agentry-audit-v1' || E'\\n' || (
                               SELECT string_agg(octet_length(x)::text || ':' || x || E'\\n', '' ORDER BY n)
                               FROM unnest(fields) WITH ORDINALITY AS u(x, n)), 'UTF8')), 'hex') AS matches
                    FROM f ORDER BY seq
                    """)
                #expect(rows.count == 10)
                #expect(try rows.allSatisfy { try $0.decode(Bool.self, column: "matches") })
            }
        }

        @Test func theTableRefusesChangesWithoutTamperingWithItsTriggers() async throws {
            try await AuditFixture.withDatabase { client in
                _ = try await AgentryAudit.AuditLog(client: client).append(AuditFixture.runEnvelopes())
                let error = try await StoreFixture.postgresError {
                    try await client.execute("UPDATE audit_log SET actor = 'mallory'")
                }
                #expect(error.sqlState == "42501")
            }
        }

        @Test func aChangedPayloadIsNamedByItsSeq() async throws {
            try await AuditFixture.withDatabase { client in
                let appended = try await AgentryAudit.AuditLog(client: client).append(
                    AuditFixture.runEnvelopes() + AuditFixture.runEnvelopes()).appended
                let target = appended[6]
                try await AuditFixture.tamper(
                    "UPDATE audit_log SET payload = jsonb_set(payload, '{tenant}', '\"evil\"') WHERE seq = \(target.seq)",
                    on: client)
                let outcome = try await AuditVerifier(client: client, pageSize: 4).verify()
                let broken = try #require(outcome.firstBreak)
                #expect(broken.seq == target.seq)
                #expect(outcome.entries == 6)
                #expect(outcome.summary
                    == "entry seq \(target.seq) (envelope \(target.content.envelopeId.uuidString.lowercased())): hash mismatch")
            }
        }

        @Test func aRehashedEntryIsCaughtByTheNextLink() async throws {
            try await AuditFixture.withDatabase { client in
                let appended = try await AgentryAudit.AuditLog(client: client).append(AuditFixture.runEnvelopes()).appended
                var forged = appended[1].content
                forged.actor = "mallory"
                let forgedHash = AuditHash.compute(previous: appended[1].prevHash, content: forged)
                try await AuditFixture.tamper(
                    "UPDATE audit_log SET actor = 'mallory', hash = '\(forgedHash)' WHERE seq = \(appended[1].seq)",
                    on: client)
                let outcome = try await AuditVerifier(client: client).verify()
                #expect(outcome.summary == "entry seq \(appended[2].seq) (envelope "
                    + "\(appended[2].content.envelopeId.uuidString.lowercased())): prev_hash does not match entry \(appended[1].seq)")
            }
        }

        @Test func aDeletedEntryIsCaughtByItsSuccessor() async throws {
            try await AuditFixture.withDatabase { client in
                let appended = try await AgentryAudit.AuditLog(client: client).append(AuditFixture.runEnvelopes()).appended
                try await AuditFixture.tamper("DELETE FROM audit_log WHERE seq = \(appended[2].seq)", on: client)
                let outcome = try await AuditVerifier(client: client).verify()
                #expect(outcome.firstBreak?.seq == appended[3].seq)
                #expect(outcome.summary.hasSuffix("prev_hash does not match entry \(appended[1].seq)"))
            }
        }

        @Test func aRunsEntriesAreVerifiedWithTheirNeighbours() async throws {
            try await AuditFixture.withDatabase { client in
                let runA = UUID()
                let runB = UUID()
                let log = AgentryAudit.AuditLog(client: client)
                let a = AuditFixture.runEnvelopes(runId: runA)
                let b = AuditFixture.runEnvelopes(runId: runB, tenant: "globex")
                // Interleaved, so that run A's neighbours in the chain belong to run B.
                let appended = try await log.append(zip(a, b).flatMap { [$0, $1] }).appended
                let verifier = AuditVerifier(client: client, pageSize: 2)
                let intact = try await verifier.verify(AuditScope(runId: runA))
                #expect(intact.isIntact)
                #expect(intact.entries == 5)
                #expect(try await verifier.verify(AuditScope(tenant: "globex")).entries == 5)
                #expect(try await verifier.verify(AuditScope(tenant: "acme", runId: runB)).entries == 0)

                // Removing a run B entry between two run A entries breaks run A's outgoing link.
                let removed = appended[3]
                try await AuditFixture.tamper("DELETE FROM audit_log WHERE seq = \(removed.seq)", on: client)
                let broken = try await verifier.verify(AuditScope(runId: runA))
                #expect(broken.firstBreak?.seq == appended[4].seq)
                #expect(broken.summary.hasSuffix("prev_hash does not match entry \(appended[2].seq)"))
                #expect(try await verifier.verify(AuditScope(tenant: "acme")).firstBreak?.seq == appended[4].seq)
            }
        }

        @Test func aPayloadPostgresCannotHoldIsRefusedAsContent() async throws {
            try await AuditFixture.withDatabase { client in
                let poison = Envelope(tenant: "acme", payload: .runFailed(RunFailed(reason: "nul \u{0} inside")))
                let outcome = await Result(catching: { try await AgentryAudit.AuditLog(client: client).append([poison]) })
                guard case .failure(let error) = outcome else {
                    Issue.record("a NUL character was accepted into jsonb")
                    return
                }
                #expect(AuditWriterService.isCausedByContent(error), "\(error)")
                let count = try await AuditFixture.count(on: client)
                #expect(count == 0)
            }
        }

        @Test func theWriterAppendsFromTheBrokerAndIgnoresRedeliveries() async throws {
            try await AuditFixture.withDatabase { client in
                let connection = try await BusFixture.connect("audit-tests")
                try await connection.declare(AgentryTopology.standard())
                let queue = BusFixture.unique("audit")
                // Its own dead-letter exchange and queue, so that the test sees only its own dead letters.
                let deadExchange = BusFixture.unique("audit-dead")
                let deadLetters = BusFixture.unique("audit-dead-letters")
                try await connection.declare(AMQPTopology(
                    exchanges: [.init(deadExchange, kind: .fanout, durable: false)],
                    queues: [
                        .quorum(queue, deliveryLimit: 5, deadLetterExchange: deadExchange), .init(deadLetters),
                    ],
                    bindings: [.init(queue: deadLetters, exchange: deadExchange, routingKey: "")]))
                let bus = AMQPBus(connection: connection)
                let writerConnection = try await BusFixture.connect("audit-writer")
                let writer = AuditWriterService(
                    configuration: AuditWriterConfiguration(batchSize: 4, batchWindow: .milliseconds(20), queue: queue),
                    bus: AMQPBus(connection: writerConnection), sink: AgentryAudit.AuditLog(client: client),
                    logger: AuditFixture.logger)
                let envelopes = AuditFixture.runEnvelopes() + AuditFixture.runEnvelopes()
                let late = Envelope(tenant: "acme", payload: .runFailed(RunFailed(reason: "late")))
                let group = ServiceGroup(services: [writer], logger: AuditFixture.logger)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    for envelope in envelopes { try await bus.publish(envelope, to: .queue(queue)) }
                    try await eventually("all appended") { try await AuditFixture.count(on: client) == 10 }
                    // The same envelopes again, as a redelivery or a duplicate publish brings them, then a
                    // new one: once it is appended, everything before it has been settled.
                    for envelope in envelopes.prefix(3) { try await bus.publish(envelope, to: .queue(queue)) }
                    try await bus.publish(late, to: .queue(queue))
                    try await eventually("the new one appended") { try await AuditFixture.count(on: client) == 11 }
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                // Closing the writer's connection would return anything it left unacknowledged.
                await writerConnection.close()
                #expect(try await connection.queueStatus(queue).messages == 0)
                #expect(try await connection.queueStatus(deadLetters).messages == 0)
                #expect(try await AuditFixture.count(on: client) == 11)
                let outcome = try await AuditVerifier(client: client).verify()
                #expect(outcome.isIntact)
                #expect(outcome.entries == 11)
                try await connection.delete(queue: queue)
                try await connection.delete(queue: deadLetters)
                try await connection.delete(exchange: deadExchange)
                await connection.close()
            }
        }
    }
}
