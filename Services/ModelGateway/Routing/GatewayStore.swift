import AgentryContracts
import AgentryStore
import Foundation

/// The gateway's tables: the response cache (`model_cache`), usage (`model_usage`) and what
/// budgets read (the run's `budget_usd` and the spending recorded in `model_usage`).
struct GatewayStore: Sendable {
    /// A reply as the cache keeps it.
    struct CachedReply: Codable, Sendable, Equatable {
        var content: String
        var toolCalls: [ToolCall]
        var finishReason: String?
        var entry: String
        var promptTokens: Int
        var completionTokens: Int
    }

    /// One model call's usage row.
    struct Usage: Sendable, Equatable {
        var requestId: UUID
        var runId: UUID?
        var stepId: String?
        var tenant: String
        var alias: String
        var provider: String
        var model: String
        var purpose: String?
        var promptTokens: Int
        var completionTokens: Int
        var costUSD: Double
        var cached: Bool
        var latencyMs: Int
        var attempts: Int
    }

    /// What has been spent so far against the budgets that apply to a request.
    struct Spending: Sendable, Equatable {
        /// The run's own budget (`runs.budget_usd`), when it has one.
        var runBudgetUSD: Double?
        /// Spent by the run.
        var runUSD: Double
        /// Spent by the tenant since midnight UTC.
        var tenantDayUSD: Double
        /// Spent by the tenant since the first of the month (UTC).
        var tenantMonthUSD: Double
    }

    let client: PostgresClient

    /// The unexpired reply cached under `key`, counting the hit.
    func cachedReply(key: String) async throws -> CachedReply? {
        let rows = try await client.query("""
            UPDATE model_cache SET hits = hits + 1
            WHERE key = \(key) AND expires_at > now()
            RETURNING reply::text AS reply
            """)
        guard let row = rows.first else { return nil }
        return try row.decode(PostgresJSON<CachedReply>.self, column: "reply").value
    }

    /// Caches `reply` under `key` for `ttl` seconds (replacing an older one).
    func cache(_ reply: CachedReply, key: String, alias: String, ttl: Double) async throws {
        try await client.execute("""
            INSERT INTO model_cache (key, alias, reply, expires_at)
            VALUES (\(key), \(alias), \(PostgresJSON(reply)), now() + make_interval(secs => \(ttl)))
            ON CONFLICT (key) DO UPDATE SET reply = excluded.reply, created_at = now(), expires_at = excluded.expires_at
            """)
    }

    /// Deletes the expired cache rows, `batch` at a time (short transactions); returns how many went.
    @discardableResult
    func purgeExpiredCache(batch: Int = 10_000) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await client.execute("""
                DELETE FROM model_cache WHERE key IN (
                    SELECT key FROM model_cache WHERE expires_at <= now() LIMIT \(batch))
                """)
            total += deleted
            if deleted < batch { return total }
        }
    }

    /// Writes the usage row; a redelivered request (same `requestId`) is not counted twice.
    func record(_ usage: Usage) async throws {
        try await client.execute("""
            INSERT INTO model_usage (request_id, run_id, step_id, tenant, alias, provider, model, purpose,
                                     prompt_tokens, completion_tokens, cost_usd, cached, latency_ms, attempts)
            VALUES (\(usage.requestId), \(usage.runId), \(usage.stepId), \(usage.tenant), \(usage.alias),
                    \(usage.provider), \(usage.model), \(usage.purpose), \(usage.promptTokens),
                    \(usage.completionTokens), \(usage.costUSD), \(usage.cached), \(usage.latencyMs), \(usage.attempts))
            ON CONFLICT (request_id) DO NOTHING
            """)
    }

    /// What the run and the tenant have spent (the tenant's day and month in UTC).
    func spending(runId: UUID?, tenant: String) async throws -> Spending {
        let rows = try await client.query("""
            SELECT (SELECT budget_usd::float8 FROM runs WHERE id = \(runId)) AS run_budget,
                   (SELECT coalesce(sum(cost_usd), 0)::float8 FROM model_usage WHERE run_id = \(runId)) AS run_spent,
                   coalesce(sum(cost_usd) FILTER (WHERE created_at >= date_trunc('day', now(), 'UTC')), 0)::float8 AS tenant_day,
                   coalesce(sum(cost_usd), 0)::float8 AS tenant_month
            FROM model_usage
            WHERE tenant = \(tenant) AND created_at >= date_trunc('month', now(), 'UTC')
            """)
        guard let row = rows.first else { return Spending(runBudgetUSD: nil, runUSD: 0, tenantDayUSD: 0, tenantMonthUSD: 0) }
        return Spending(
            runBudgetUSD: try row.decode(Double?.self, column: "run_budget"),
            runUSD: try row.decode(Double.self, column: "run_spent"),
            tenantDayUSD: try row.decode(Double.self, column: "tenant_day"),
            tenantMonthUSD: try row.decode(Double.self, column: "tenant_month"))
    }
}
