import AgentryBus
import AgentryContracts
import Testing

@Suite struct AgentryTopologyTests {
    let topology = AgentryTopology.standard()

    @Test func everyBindingNamesDeclaredQueuesAndExchanges() {
        let queues = Set(topology.queues.map(\.name))
        let exchanges = Set(topology.exchanges.map(\.name))
        for binding in topology.bindings {
            #expect(queues.contains(binding.queue), "binding to undeclared queue \(binding.queue)")
            #expect(exchanges.contains(binding.exchange), "binding to undeclared exchange \(binding.exchange)")
        }
        #expect(queues.count == topology.queues.count, "a queue is declared twice")
    }

    @Test func workAndInboxQueuesAreQuorumWithLimitAndDeadLettering() {
        let names = AgentryTopology.workKinds.map { "work.\($0)" }
            + AgentryTopology.inboxes.map(\.queue) + [AgentryTopology.approvalsPendingQueue,
                                                      AgentryTopology.approvalsRepliesQueue]
        for name in names {
            let queue = topology.queues.first { $0.name == name }
            #expect(queue?.durable == true)
            #expect(queue?.arguments["x-queue-type"] == .string("quorum"), "\(name)")
            #expect(queue?.arguments["x-delivery-limit"] == .int(5), "\(name)")
            #expect(queue?.arguments["x-dead-letter-exchange"] == .string(AgentryTopology.deadExchange), "\(name)")
        }
    }

    @Test func delayQueuesReturnToTheirExchange() {
        for tier in RetryTier.allCases {
            let work = topology.queues.first { $0.name == AgentryTopology.delayQueue(target: "work", tier: tier) }
            #expect(work?.arguments["x-message-ttl"] == .int(Int64(tier.milliseconds)))
            #expect(work?.arguments["x-dead-letter-exchange"] == .string(AgentryTopology.workExchange))
            let events = topology.queues.first { $0.name == AgentryTopology.delayQueue(target: "events", tier: tier) }
            #expect(events?.arguments["x-dead-letter-exchange"] == .string(AgentryTopology.eventsExchange))
        }
    }

    @Test func auditBindsEverythingAndTheDirectorItsFacts() {
        let audit = Set(topology.bindings.filter { $0.queue == "audit.log" }.map { "\($0.exchange) \($0.routingKey)" })
        #expect(audit == [
            "agentry.events #", "agentry.work code", "agentry.work data", "agentry.work comm", "agentry.work browser",
        ])
        let director = Set(topology.bindings.filter { $0.queue == "director.inbox" }.map(\.routingKey))
        #expect(director.isSuperset(of: ["run.requested", "step.completed", "step.failed", "approval.decided"]))
    }

    @Test func routesFollowTheDesign() {
        #expect(Route.event(.runRequested) == Route(exchange: "agentry.events", routingKey: "run.requested"))
        #expect(Route.work("code") == Route(exchange: "agentry.work", routingKey: "code"))
        #expect(Route.queue("approvals.replies") == Route(exchange: "", routingKey: "approvals.replies"))
    }
}
