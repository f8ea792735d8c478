import AgentryContracts
import AgentryStore
import AgentryTestSupport
import Foundation
import Logging
import Testing

@testable import AgentryModelGateway

/// The gateway's cache, usage rows and budgets on a real PostgreSQL database.
@Suite(.enabled(if: TestStack.isEnabled, "needs the database started by scripts/test"))
struct ModelGatewayStoreTests {
    typealias F = ModelGatewayFixture

    static let logger: Logger = {
        var logger = Logger(label: "model-gateway-store-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func withStore<T>(_ body: (GatewayStore, F) async throws -> T) async throws -> T {
        try await TestDatabase.withFresh(prefix: "agentry_t_gateway", poolSize: 4, logger: logger) { client, _ in
            try await F.with { fixture in try await body(GatewayStore(client: client), fixture) }
        }
    }

    @Test func repeatedRequestsAreServedFromTheCacheUnlessTheyOptOut() async throws {
        try await Self.withStore { store, f in
            f.fake.setDefault("cached", .reply(content: "from the model", promptTokens: 30, completionTokens: 5))
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("oa", "cached"))]}"#, store: store)
            let request = F.request("What broke last night?", cache: true)
            let first = try await router.serve(request, caller: F.caller())
            #expect(first.cached == false && first.costUSD > 0)
            // Same request, different whitespace around the text: the normalised key matches.
            var again = request
            again.messages[1].content = "  What broke last night?\n"
            again.purpose = "summarise"
            let second = try await router.serve(again, caller: F.caller())
            #expect(second.cached)
            #expect(second.content == "from the model")
            #expect(second.costUSD == 0)
            #expect(second.entry == "oa/cached")
            #expect(f.fake.requestCount("cached") == 1)
            // Opting out calls the provider.
            var fresh = request
            fresh.cache = false
            #expect(try await router.serve(fresh, caller: F.caller()).cached == false)
            #expect(f.fake.requestCount("cached") == 2)
            // Another request is another key.
            #expect(try await router.serve(F.request("Something else", cache: true), caller: F.caller()).cached == false)
            // An expired entry is not served.
            try await store.client.execute("UPDATE model_cache SET expires_at = now() - interval '1 second'")
            #expect(try await router.serve(request, caller: F.caller()).cached == false)
            #expect(f.fake.requestCount("cached") == 4)
            #expect(try await store.purgeExpiredCache() == 1)
            let rows = try await store.client.query("SELECT cached FROM model_usage ORDER BY id")
            #expect(try rows.map { try $0.decode(Bool.self, column: "cached") } == [false, true, false, false, false])
        }
    }

    @Test func usageIsRecordedPerRunStepTenantAndEntryOncePerRequest() async throws {
        try await Self.withStore { store, f in
            f.fake.script("counted", [.reply(content: "ok", promptTokens: 1200, completionTokens: 300)])
            let router = try f.router(aliases: #"{"chat": [\#(F.entry("an", "counted", input: 3, output: 15))]}"#, store: store)
            let runId = UUID()
            let caller = F.caller(runId: runId, tenant: "globex")
            var request = F.request()
            request.purpose = "summarise"
            let reply = try await router.serve(request, caller: caller)
            #expect(abs(reply.costUSD - (1200 * 3 + 300 * 15) / 1_000_000) < 1e-12)
            // A redelivered request (same envelope id) is not counted twice.
            _ = try await router.serve(request, caller: caller)
            let rows = try await store.client.query("""
                SELECT run_id, step_id, tenant, alias, provider, model, purpose, prompt_tokens, completion_tokens,
                       cost_usd::float8 AS cost, cached, attempts FROM model_usage
                """)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(try row.decode(UUID?.self, column: "run_id") == runId)
            #expect(try row.decode(String?.self, column: "step_id") == "summarise")
            #expect(try row.decode(String.self, column: "tenant") == "globex")
            #expect(try row.decode(String.self, column: "alias") == "chat")
            #expect(try row.decode(String.self, column: "provider") == "an")
            #expect(try row.decode(String.self, column: "model") == "counted")
            #expect(try row.decode(String?.self, column: "purpose") == "summarise")
            #expect(try row.decode(Int.self, column: "prompt_tokens") == 1200)
            #expect(try row.decode(Int.self, column: "completion_tokens") == 300)
            #expect(abs(try row.decode(Double.self, column: "cost") - 0.0081) < 1e-9)
            #expect(try row.decode(Int.self, column: "attempts") == 1)
        }
    }

    @Test func aCallThatWouldExceedTheRunBudgetIsRefusedBeforeItIsMade() async throws {
        try await Self.withStore { store, f in
            let router = try f.router(
                aliases: #"{"chat": [\#(F.entry("oa", "priced", input: 10, output: 30))]}"#,
                extra: #""budgets": {"runUSD": 0.01}"#, store: store)
            f.fake.setDefault("priced", .reply(content: "ok", promptTokens: 100, completionTokens: 100))
            let runId = UUID()
            // Each call costs 100 × $10/M + 100 × $30/M = $0.004; the worst case of the next one is
            // its ~17 prompt tokens at $10/M + 100 completion tokens at $30/M ≈ $0.0032, so the
            // third would take the run past $0.01.
            for _ in 0..<2 {
                #expect(try await router.serve(F.request(), caller: F.caller(runId: runId)).error == nil)
            }
            let refused = try await router.serve(F.request(), caller: F.caller(runId: runId))
            #expect(refused.error?.code == .overBudget)
            #expect(refused.error?.message.contains("run's budget of 0.010000 USD") == true)
            #expect(refused.attempts.map(\.outcome) == [.skippedOverBudget])
            #expect(f.fake.requestCount("priced") == 2)
            // Another run has its own budget.
            #expect(try await router.serve(F.request(), caller: F.caller(runId: UUID())).error == nil)
            // A run's own budget (runs.budget_usd) overrides the default.
            let rich = UUID()
            try await store.client.execute("""
                INSERT INTO runs (id, tenant, source, request, budget_usd) VALUES (\(rich), 'acme', 'api', 'x', 1.0)
                """)
            for _ in 0..<5 { #expect(try await router.serve(F.request(), caller: F.caller(runId: rich)).error == nil) }
            #expect(budgetsDrained(router))
        }
    }

    @Test func concurrentCallsOfOneRunCannotTogetherOvershootItsBudget() async throws {
        try await Self.withStore { store, f in
            // The admitted calls are held long enough for all six to be decided while they are in flight.
            f.fake.setDefault("slow-priced", .delayed(.seconds(10), then: .reply(content: "ok", promptTokens: 10, completionTokens: 10)))
            let router = try f.router(
                aliases: #"{"chat": [\#(F.entry("oa", "slow-priced", input: 10, output: 30))]}"#,
                extra: #""budgets": {"runUSD": 0.01}"#, store: store)
            let runId = UUID()
            // Each call's worst case is about $0.0032: three fit in $0.01 at once, a fourth does not.
            let replies = try await withThrowingTaskGroup(of: ModelReply.self) { group in
                for _ in 0..<6 { group.addTask { try await router.serve(F.request(), caller: F.caller(runId: runId)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.error == nil }.count == 3)
            #expect(replies.filter { $0.error?.code == .overBudget }.count == 3)
            #expect(f.fake.requestCount("slow-priced") == 3)
            #expect(budgetsDrained(router))
        }
    }

    @Test func aTenantsDailyBudgetIsHeldAcrossRuns() async throws {
        try await Self.withStore { store, f in
            let router = try f.router(
                aliases: #"{"chat": [\#(F.entry("oa", "priced", input: 10, output: 30))]}"#,
                extra: #""budgets": {"tenants": {"acme": {"dailyUSD": 5}, "*": {"monthlyUSD": 100}}}"#, store: store)
            try await store.client.execute("""
                INSERT INTO model_usage (request_id, tenant, alias, provider, model, cost_usd)
                VALUES (\(UUID()), 'acme', 'chat', 'oa', 'priced', 4.999),
                       (\(UUID()), 'initech', 'chat', 'oa', 'priced', 99.999),
                       (\(UUID()), 'acme', 'chat', 'oa', 'priced', 50)
                """)
            // The 50 USD row is from last month and does not count today.
            try await store.client.execute("UPDATE model_usage SET created_at = date_trunc('month', now(), 'UTC') - interval '1 day' WHERE cost_usd = 50")
            let acme = try await router.serve(F.request(), caller: F.caller(runId: UUID(), tenant: "acme"))
            #expect(acme.error?.code == .overBudget)
            #expect(acme.error?.message.contains("daily budget") == true)
            let initech = try await router.serve(F.request(), caller: F.caller(tenant: "initech"))
            #expect(initech.error?.code == .overBudget)
            #expect(initech.error?.message.contains("monthly budget") == true)
            #expect(try await router.serve(F.request(), caller: F.caller(tenant: "hooli")).error == nil)
            #expect(f.fake.requestCount("priced") == 1)
        }
    }

    @Test func withoutTheDatabaseAPricedCallIsHandedBackNotMadeUnchecked() async throws {
        try await F.with { f in
            var configuration = try PostgresConfiguration(url: TestStack.databaseURL())
            configuration.poolSize = 1
            configuration.checkoutTimeout = .milliseconds(300)
            let client = PostgresClient(configuration: configuration, logger: Self.logger)
            await client.close()
            let router = try f.router(
                aliases: #"{"chat": [\#(F.entry("oa", "priced"))]}"#, extra: #""budgets": {"runUSD": 1}"#,
                store: GatewayStore(client: client))
            await #expect(throws: GatewayStoreUnavailable.self) {
                try await router.serve(F.request(), caller: F.caller(runId: UUID()))
            }
            #expect(f.fake.requestCount("priced") == 0)
        }
    }

    func budgetsDrained(_ router: ModelRouter) -> Bool { router.budgets.reservationCount == 0 }
}
