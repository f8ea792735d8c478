/// The broker topology of DESIGN.md "The bus", declared by every service at start (idempotent).
///
/// - `agentry.events` (topic): facts, routed by envelope type; each consumer binds its own inbox.
/// - `agentry.work` (direct): step work, one quorum queue per specialist kind.
/// - `agentry.dead` (fanout) → `dead.letters`: where poison and rejected messages go.
/// - `agentry.delay` (headers) → `agentry.delay.<target>.<tier>`: back-off queues whose messages
///   expire back to their original exchange and routing key.
/// - `approvals.pending` (facts `approval.requested`) and `approvals.replies` (decisions from approvers).
public enum AgentryTopology {
    public static let eventsExchange = "agentry.events"
    public static let workExchange = "agentry.work"
    public static let deadExchange = "agentry.dead"
    public static let delayExchange = "agentry.delay"
    public static let deadLetterQueue = "dead.letters"
    public static let approvalsPendingQueue = "approvals.pending"
    public static let approvalsRepliesQueue = "approvals.replies"
    /// Header naming the exchange a delayed message returns to (`events` or `work`).
    public static let delayTargetHeader = "agentry-delay-target"
    /// Header naming the delay tier (`1s`, `5s`, `30s`, `5m`).
    public static let delayTierHeader = "agentry-delay-tier"
    /// Deliveries after which a message on a work or inbox queue is dead-lettered.
    public static let defaultDeliveryLimit = 5

    /// The audit writer's queue: everything on the events exchange and every work item.
    public static let auditQueue = "audit.log"

    /// The specialist kinds with a work queue each.
    public static let workKinds = ["code", "data", "comm", "browser"]

    /// The inbox queues of the services and the event types each one binds.
    public static let inboxes: [(queue: String, bindings: [String])] = [
        ("director.inbox", ["run.requested", "run.control", "step.completed", "step.failed", "approval.decided"]),
        ("model.requests", ["model.request"]),
        ("audit.log", ["#"]),
        ("notifier.inbox", ["run.completed", "run.failed", "approval.requested"]),
    ]

    /// The delay queue for a target exchange and tier.
    public static func delayQueue(target: String, tier: RetryTier) -> String {
        "agentry.delay.\(target).\(tier.rawValue)"
    }

    /// The short name of an exchange that delay queues can return messages to, if any.
    public static func delayTarget(for exchange: String) -> String? {
        switch exchange {
        case eventsExchange: "events"
        case workExchange: "work"
        default: nil
        }
    }

    /// The whole topology, with `deliveryLimit` on every quorum queue.
    public static func standard(deliveryLimit: Int = defaultDeliveryLimit) -> AMQPTopology {
        var topology = AMQPTopology(exchanges: [
            .init(eventsExchange, kind: .topic),
            .init(workExchange, kind: .direct),
            .init(deadExchange, kind: .fanout),
            .init(delayExchange, kind: .headers),
        ])
        topology.queues.append(.init(deadLetterQueue, arguments: ["x-queue-type": .string("quorum")]))
        topology.bindings.append(.init(queue: deadLetterQueue, exchange: deadExchange, routingKey: ""))
        for kind in workKinds {
            let queue = "work.\(kind)"
            topology.queues.append(.quorum(queue, deliveryLimit: deliveryLimit, deadLetterExchange: deadExchange))
            topology.bindings.append(.init(queue: queue, exchange: workExchange, routingKey: kind))
            // Work items are facts too: the audit log sees every one.
            topology.bindings.append(.init(queue: auditQueue, exchange: workExchange, routingKey: kind))
        }
        for inbox in inboxes {
            topology.queues.append(.quorum(inbox.queue, deliveryLimit: deliveryLimit, deadLetterExchange: deadExchange))
            for key in inbox.bindings {
                topology.bindings.append(.init(queue: inbox.queue, exchange: eventsExchange, routingKey: key))
            }
        }
        topology.queues.append(.quorum(approvalsPendingQueue, deliveryLimit: deliveryLimit,
                                       deadLetterExchange: deadExchange))
        topology.bindings.append(.init(queue: approvalsPendingQueue, exchange: eventsExchange,
                                       routingKey: "approval.requested"))
        topology.queues.append(.quorum(approvalsRepliesQueue, deliveryLimit: deliveryLimit,
                                       deadLetterExchange: deadExchange))
        for (target, exchange) in [("events", eventsExchange), ("work", workExchange)] {
            for tier in RetryTier.allCases {
                let queue = delayQueue(target: target, tier: tier)
                topology.queues.append(.init(queue, arguments: [
                    "x-message-ttl": .int(Int64(tier.milliseconds)),
                    "x-dead-letter-exchange": .string(exchange),
                ]))
                topology.bindings.append(.init(queue: queue, exchange: delayExchange, routingKey: "", arguments: [
                    "x-match": .string("all"),
                    delayTargetHeader: .string(target),
                    delayTierHeader: .string(tier.rawValue),
                ]))
            }
        }
        return topology
    }
}
