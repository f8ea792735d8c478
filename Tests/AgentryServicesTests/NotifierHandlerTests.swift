import AgentryChannels
import AgentryContracts
@testable import AgentryNotifier
import AgentryRuntime
import Foundation
import Logging
import Synchronization
import Testing

/// Runs and steps held in memory.
final class InMemoryNotifierRuns: NotifierRunStore {
    private let state = Mutex<(runs: [UUID: NotifierRun], steps: [String: NotifierStep])>(([:], [:]))

    func add(_ run: NotifierRun) { state.withLock { $0.runs[run.id] = run } }
    func add(_ step: NotifierStep, runId: UUID) { state.withLock { $0.steps["\(runId)/\(step.id)"] = step } }

    func run(_ id: UUID) async throws -> NotifierRun? { state.withLock { $0.runs[id] } }
    func step(runId: UUID, stepId: String) async throws -> NotifierStep? {
        state.withLock { $0.steps["\(runId)/\(stepId)"] }
    }
}

@Suite struct NotifierHandlerTests {
    let runs = InMemoryNotifierRuns()
    let deliverer = RecordingDeliverer()

    var notifier: Notifier {
        var notifier = Notifier(runs: runs, deliverer: deliverer, logger: Logger(label: "notifier-tests"))
        notifier.maxRetryAfterPause = .milliseconds(1)
        return notifier
    }

    private func envelope(_ payload: EnvelopePayload, runId: UUID? = NotifierMessageTests.runId, stepId: String? = nil)
        -> Envelope
    {
        Envelope(tenant: "acme", runId: runId, stepId: stepId, payload: payload)
    }

    @Test func anApprovalIsDeliveredWithItsKeyAndStep() async throws {
        runs.add(NotifierMessageTests.run(.slack, NotifierMessageTests.slackReference))
        runs.add(NotifierMessageTests.cleanupStep, runId: NotifierMessageTests.runId)
        guard case .approvalRequested(let requested) = NotifierMessageTests.approval else { return }
        let receipt = try await notifier.handle(envelope(.approvalRequested(requested), stepId: "cleanup"), deliveryCount: 0)
        #expect(receipt.channel == .slack)
        let call = try #require(deliverer.calls.first)
        #expect(call.key == NotifierMessageTests.approval.idempotencyKey(runId: NotifierMessageTests.runId))
        #expect(call.context == .notification(runId: NotifierMessageTests.runId, stepId: "cleanup"))
        guard case .slack(let slack) = call.message else {
            Issue.record("expected a Slack message")
            return
        }
        #expect(slack.text.contains("shell.run"))
    }

    @Test func aMissingRunIsRequeuedAFewTimesThenDeadLettered() async throws {
        let completed = EnvelopePayload.runCompleted(RunCompleted(status: .completed, summary: "x"))
        for count in 0..<3 {
            await #expect(throws: Notifier.RunNotFound.self) {
                _ = try await notifier.handle(envelope(completed), deliveryCount: count)
            }
        }
        await #expect(throws: PermanentFailure.self) {
            _ = try await notifier.handle(envelope(completed), deliveryCount: 3)
        }
        #expect(deliverer.calls.isEmpty)
    }

    @Test func envelopesItCannotHandleAreDeadLettered() async throws {
        await #expect(throws: PermanentFailure.self) {
            _ = try await notifier.handle(envelope(.runControl(RunControl(action: .pause))), deliveryCount: 0)
        }
        await #expect(throws: PermanentFailure.self) {
            _ = try await notifier.handle(
                envelope(.runFailed(RunFailed(reason: "x")), runId: nil), deliveryCount: 0)
        }
    }

    @Test func aRefusedMessageIsDeadLetteredAndATransientFailureRequeued() async throws {
        runs.add(NotifierMessageTests.run(.slack, NotifierMessageTests.slackReference))
        let failed = envelope(.runFailed(RunFailed(reason: "boom")))
        deliverer.failNext(
            ChannelError(.notFound, channel: .slack, "Slack answered channel_not_found"),
            ChannelError(.rateLimited, channel: .slack, "Slack answered ratelimited", retryAfter: .seconds(1)))
        await #expect(throws: PermanentFailure.self) { _ = try await notifier.handle(failed, deliveryCount: 0) }
        await #expect(throws: ChannelError.self) { _ = try await notifier.handle(failed, deliveryCount: 1) }
        let receipt = try await notifier.handle(failed, deliveryCount: 2)
        #expect(receipt.status == .delivered)
        #expect(Set(deliverer.calls.map(\.key)) == ["notify:run.failed:\(NotifierMessageTests.runId.uuidString.lowercased())"])
    }

    @Test func anAPIRunIsCaptured() async throws {
        runs.add(NotifierMessageTests.run(.api))
        let receipt = try await notifier.handle(
            envelope(.runCompleted(RunCompleted(status: .completed, summary: "done"))), deliveryCount: 0)
        #expect(receipt.channel == .capture)
        #expect(receipt.status == .captured)
    }
}
