import AgentryBus
import AgentryRuntime
import AgentryServiceKit
import Foundation

/// `agentry-director`: owns the run state machine (DESIGN.md, "The run").
@main
enum DirectorMain {
    static func main() async {
        do {
            let runtime = try await ServiceRuntime.start(name: "director", defaultHTTPPort: 9101, store: .required)
            let relay = OutboxRelay(store: runtime.store, bus: runtime.bus, logger: runtime.logger)
            let director = Director(store: runtime.store, logger: runtime.logger, outboxWritten: { relay.wake() })
            let inbox = EnvelopeConsumer(
                queue: "director.inbox", bus: runtime.bus, prefetch: runtime.configuration.broker.prefetch,
                logger: runtime.logger
            ) { envelope, _ in
                try await director.handle(envelope)
            }
            // Approvers' bots answer on the approval reply queue; those decisions are handled like the
            // API's and Slack's, and also recorded as facts so that the audit log sees them.
            let replies = EnvelopeConsumer(
                queue: AgentryTopology.approvalsRepliesQueue, bus: runtime.bus,
                prefetch: runtime.configuration.broker.prefetch, logger: runtime.logger
            ) { envelope, _ in
                try await director.handleApprovalReply(envelope)
            }
            // The relay starts first and stops last, so that what the consumers commit still leaves.
            try await runtime.run([relay, inbox, replies])
        } catch {
            FileHandle.standardError.write(Data("director: \(error)\n".utf8))
            exit(1)
        }
    }
}
