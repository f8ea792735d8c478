import AgentryBus
import AgentryChannels
@testable import AgentryCommWorker
import AgentryContracts
import AgentryRuntime
import AgentryTestSupport
import Foundation
import Logging
import Testing

/// The communication worker end to end except the broker: a work item through the worker service
/// (with the in-memory bus), the delivery ledger on the real database and a local Slack stand-in.
@Suite(.enabled(if: TestStack.isEnabled, "needs the database started by scripts/test"))
struct CommWorkerIntegrationTests {
    private func workItem(_ tool: String, _ input: JSONValue, runId: UUID, key: String) -> Envelope {
        Envelope(tenant: "acme", runId: runId, stepId: "post", payload: .workItem(WorkItem(
            stepId: "post", specialist: .comm, tool: tool, input: input, idempotencyKey: key, risk: .low)))
    }

    private func completedOutputs(_ bus: InMemoryBus) -> [JSONValue] {
        bus.published.compactMap {
            if case .stepCompleted(let completed) = $0.envelope.payload { return completed.output }
            return nil
        }
    }

    @Test func aRedeliveredStepPostsOnceAndReportsTheSameDelivery() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                let bus = InMemoryBus()
                let ledger = DeliveryLedger(
                    store: store, channels: OutboundChannels(configuration: ChannelsFixture.configuration(server: port)),
                    logger: ChannelsFixture.logger)
                let worker = CommWorker.service(bus: bus, prefetch: 1, logger: ChannelsFixture.logger, deliverer: ledger)
                let runId = UUID()
                let envelope = workItem(
                    "slack.post", ["channel": "C0123", "text": "3 open incidents"], runId: runId, key: "\(runId):post")
                try await worker.handle(envelope)
                try await worker.handle(envelope)  // the broker redelivered it

                #expect(server.slackRequests.count == 1)
                let outputs = completedOutputs(bus)
                #expect(outputs.count == 2)
                #expect(outputs.first == outputs.last)
                let output = try #require(outputs.first)
                #expect(output["channel"] == "slack")
                #expect(output["status"] == "delivered")
                #expect(output["target"] == "C0123")
                let row = try #require(try await ChannelsFixture.deliveries(store).first)
                #expect(output["deliveryId"] == .string(row.id.uuidString.lowercased()))
                #expect(row.kind == "step")
                #expect(row.runId == runId)
                #expect(row.stepId == "post")
                #expect(row.key == "\(runId):post")
                let completed = try #require(bus.published.first?.envelope)
                #expect(completed.type == .stepCompleted)
                #expect(completed.runId == runId)
                #expect(completed.stepId == "post")
                #expect(completed.causationId == envelope.id)
            }
        }
    }

    @Test func withoutEndpointsStepsAreCaptured() async throws {
        try await ChannelsFixture.withDatabase { store in
            let bus = InMemoryBus()
            let ledger = DeliveryLedger(
                store: store, channels: OutboundChannels(configuration: ChannelsConfiguration()), logger: ChannelsFixture.logger)
            let worker = CommWorker.service(bus: bus, prefetch: 1, logger: ChannelsFixture.logger, deliverer: ledger)
            let runId = UUID()
            try await worker.handle(workItem(
                "email.send", ["to": "ana@example.com", "subject": "Weekly report", "body": "Attached."],
                runId: runId, key: "k-email"))
            try await worker.handle(workItem("jira.comment", ["issue": "OPS-1", "body": "Done."], runId: runId, key: "k-jira"))
            let outputs = completedOutputs(bus)
            #expect(outputs.map { $0["status"] } == ["captured", "captured"])
            #expect(outputs.map { $0["channel"] } == ["email", "jira"])
            let rows = try await ChannelsFixture.deliveries(store)
            #expect(rows.map(\.status) == ["captured", "captured"])
            #expect(rows.first?.payload["subject"] == "Weekly report")
        }
    }

    @Test func aRefusedMessageFailsTheStepWithoutRetry() async throws {
        try await FakeChannelServer.withServer { server, port in
            try await ChannelsFixture.withDatabase { store in
                server.scriptSlack(.slackError("channel_not_found"))
                let bus = InMemoryBus()
                let ledger = DeliveryLedger(
                    store: store, channels: OutboundChannels(configuration: ChannelsFixture.configuration(server: port)),
                    logger: ChannelsFixture.logger)
                let worker = CommWorker.service(bus: bus, prefetch: 1, logger: ChannelsFixture.logger, deliverer: ledger)
                try await worker.handle(workItem("slack.post", ["channel": "C404", "text": "x"], runId: UUID(), key: "k"))
                guard case .stepFailed(let failed)? = bus.published.first?.envelope.payload else {
                    Issue.record("expected step.failed")
                    return
                }
                #expect(failed.code == "not_found")
                #expect(failed.retryable == false)
                #expect(failed.error.contains("channel_not_found"))
            }
        }
    }
}
