import AgentryContracts
import Foundation
import Testing

@testable import AgentryModelGateway

/// The offline planner is deterministic and total: every input gives the same valid plan each
/// time, or a clear error; nothing crashes.
@Suite struct PlannerFuzzTests {
    static let examples = [
        "summarise the open incidents and post them to #ops",
        "check the price on https://shop.example.com/item",
        "run this script: echo hello",
        "email the weekly report to a@example.com",
        "post Deploy finished to #ops",
        "comment on JIRA-123: shipped",
        "open https://example.com",
        "query: SELECT 1",
        "how many high incidents were opened in the last 2 weeks? share it in #sre",
    ]

    @Test(arguments: examples)
    func samePlanEveryTime(request: String) throws {
        let context = PlanningContext(source: .slack, sourceReference: SourceReference(slackChannel: "C1", slackThreadTs: "1.2"))
        let first = try OfflinePlanner().plan(request: request, context: context)
        for _ in 0..<5 {
            #expect(try OfflinePlanner().plan(request: request, context: context) == first)
        }
        let encoder = ModelRequestHandler.planEncoder
        #expect(try encoder.encode(OfflinePlanner().plan(request: request, context: context)) == encoder.encode(first))
    }

    /// Fragments that steer random requests into every branch of the grammar.
    static let fragments = [
        "post", "send", "email", "tell", "comment on", "run", "run this script:", "query:", "sql:", "SELECT", "FROM",
        "incidents", "open", "closed", "critical", "weekly", "report", "how many", "by severity", "last", "3", "days",
        "price", "check", "https://example.com/p?id=1", "<https://a.example|a>", "http://", "#ops", "#", "<#C012|ops>",
        "a@example.com", "@", "OPS-12", "JIRA-", "to", "on", "in", "here", "this thread", "saying", ":", "\"", "“",
        "```", "```python\n", "```sql\n", "```ruby\n", "`", "\n", "  ", "please", "can you", "<@U1>", "{{steps.x.output}}",
        "é", "🙂", "\u{0}", "\\", "'", "DELETE", "WITH x AS (SELECT 1)", "selector", ".price", "and", ",", ".",
    ]

    @Test func randomRequestsGiveValidPlansOrClearErrors() {
        var random = PlannerRandom(seed: 0xA6E_27F)
        let planner = OfflinePlanner()
        let slack = PlanningContext(source: .slack, sourceReference: SourceReference(slackChannel: "C1"))
        var planned = 0
        var refused = 0
        for round in 0..<600 {
            var request = ""
            for _ in 0..<Int.random(in: 1...14, using: &random) {
                if Bool.random(using: &random) {
                    request += Self.fragments.randomElement(using: &random)!
                } else {
                    let scalars = (0..<Int.random(in: 1...6, using: &random)).compactMap { _ in
                        Unicode.Scalar(UInt32.random(in: 0x20...0x2FF, using: &random))
                    }
                    request += String(String.UnicodeScalarView(scalars))
                }
                request += Bool.random(using: &random) ? " " : ""
            }
            let context = round.isMultiple(of: 3) ? slack : nil
            do {
                let plan = try planner.plan(request: request, context: context)
                #expect(PlannerContract.problems(plan) == [], "\(request.debugDescription)")
                planned += 1
            } catch {
                // The planner throws only PlannerError (typed throws).
                #expect(!error.message.isEmpty)
                #expect(error.code != .invalidPlan, "\(request.debugDescription): \(error.message)")
                refused += 1
            }
        }
        // The fragments reach both outcomes often; a grammar that stopped matching would show here.
        #expect(planned > 150)
        #expect(refused > 50)
    }

    @Test func longRequestsStayFast() throws {
        let long = String(repeating: "incidents please ", count: 1_100) + "post them to #ops"
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let plan = try OfflinePlanner().plan(request: long)
            #expect(plan.steps.map(\.tool) == ["sql.query", "slack.post"])
        }
        #expect(elapsed < .seconds(10))
        let noSpaces = String(repeating: "a", count: OfflinePlanner.maximumRequestLength)
        #expect(throws: PlannerError.self) { try OfflinePlanner().plan(request: noSpaces) }
    }
}
