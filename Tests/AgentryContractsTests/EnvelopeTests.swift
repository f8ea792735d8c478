import AgentryContracts
import Foundation
import Testing

@Suite struct EnvelopeTests {
    @Test(arguments: GoldenEnvelopes.all.map(\.name))
    func typeAndVersionComeFromThePayload(name: String) throws {
        let envelope = try #require(GoldenEnvelopes.all.first { $0.name == name }?.envelope)
        #expect(envelope.type == envelope.payload.type)
        let bodyType = Swift.type(of: envelope.payload.body)
        #expect(envelope.version == bodyType.version)
        #expect(ObjectIdentifier(envelope.type.payloadType) == ObjectIdentifier(bodyType))
    }

    @Test func eachTypeHasItsOwnPayloadStruct() {
        let payloadTypes = EnvelopeType.allCases.map { ObjectIdentifier($0.payloadType) }
        #expect(Set(payloadTypes).count == EnvelopeType.allCases.count)
        for type in EnvelopeType.allCases {
            #expect(type.payloadType.envelopeType == type)
            #expect(type.currentVersion >= 1)
        }
    }

    @Test func causedByInheritsContextAndPointsAtTheParent() {
        let parent = GoldenEnvelopes.workItem
        let child = Envelope.caused(
            by: parent,
            payload: .stepCompleted(StepCompleted(output: ["ok": true], durationMs: 12, idempotencyKey: "k"))
        )
        #expect(child.id != parent.id)
        #expect(child.tenant == parent.tenant)
        #expect(child.runId == parent.runId)
        #expect(child.stepId == parent.stepId)
        #expect(child.correlationId == parent.correlationId)
        #expect(child.causationId == parent.id)
        #expect(child.traceparent == parent.traceparent)
        #expect(child.attempt == 1, "a follow-on starts at the first attempt even when the parent was retried")
        #expect(child.type == .stepCompleted)
    }

    @Test func causedByAParentWithoutCorrelationCorrelatesOnTheParent() {
        let parent = Envelope(tenant: "acme", payload: .runRequested(RunRequested(request: "hi", source: .cli)))
        let child = Envelope.caused(by: parent, payload: .runFailed(RunFailed(reason: "nothing to do")))
        #expect(child.correlationId == parent.id)
        #expect(child.causationId == parent.id)
        #expect(child.runId == nil)
    }

    @Test func occurredAtIsKeptAtMillisecondPrecision() throws {
        var envelope = Envelope(
            occurredAt: Date(timeIntervalSince1970: 1_772_442_847.215_6),
            tenant: "acme",
            payload: .runFailed(RunFailed(reason: "x"))
        )
        #expect(envelope.occurredAt == Date(timeIntervalSince1970: 1_772_442_847.216))
        envelope.occurredAt = Date(timeIntervalSince1970: 1_772_442_847.000_4)
        #expect(envelope.occurredAt == Date(timeIntervalSince1970: 1_772_442_847))
        let now = Envelope(tenant: "acme", payload: .runFailed(RunFailed(reason: "x")))
        let codec = EnvelopeCodec()
        #expect(try codec.decode(codec.encode(now)) == now, "an envelope stamped now survives a round trip")
    }

    @Test func payloadAsGivesTheBodyOnlyForItsType() {
        let envelope = GoldenEnvelopes.stepFailed
        #expect(envelope.payload.as(StepFailed.self)?.code == "timeout")
        #expect(envelope.payload.as(StepCompleted.self) == nil)
    }

    @Test func specialistsRouteToTheirWorkQueues() {
        #expect(Specialist.allCases.map(\.queueName) == ["work.code", "work.data", "work.comm", "work.browser"])
        #expect(Specialist.comm.routingKey == "comm")
    }

    @Test func onlyHighRiskNeedsApproval() {
        #expect(RiskClass.allCases.filter(\.requiresApproval) == [.high])
        #expect(RiskClass.low < .medium && RiskClass.medium < .high)
    }
}
