import Foundation
import Synchronization

/// Checks a call against the run's and the tenant's budgets before it is made.
///
/// Spending is what `model_usage` records plus what calls still in flight in this gateway have
/// reserved (their worst case: the prompt plus every completion token they may produce), so
/// concurrent calls of one run cannot together overshoot its budget.
final class BudgetGuard: Sendable {
    /// Budgets a request is held to.
    struct Limits: Sendable, Equatable {
        var runUSD: Double?
        var tenantDailyUSD: Double?
        var tenantMonthlyUSD: Double?

        var isEmpty: Bool { runUSD == nil && tenantDailyUSD == nil && tenantMonthlyUSD == nil }
    }

    /// A reservation to give back when the call is over.
    struct Reservation: Sendable {
        fileprivate let keys: [String]
        fileprivate let amount: Double
    }

    private let reserved = Mutex<[String: Double]>([:])

    /// Why a call was not allowed.
    struct Refusal: Error, Sendable, Equatable {
        let reason: String
    }

    /// Checks a call costing up to `worstCaseUSD` against the budgets and, when it fits, holds it
    /// against the run and the tenant until ``release(_:)`` — in one step, so concurrent calls
    /// cannot all pass the check before any of them holds its share.
    func reserve(
        worstCaseUSD: Double, limits: Limits, spending: GatewayStore.Spending, runId: UUID?, tenant: String
    ) -> Result<Reservation, Refusal> {
        let keys = [Self.tenantKey(tenant)] + (runId.map { [Self.runKey($0)] } ?? [])
        return reserved.withLock { reserved in
            let held = (run: runId.map { reserved[Self.runKey($0)] ?? 0 } ?? 0, tenant: reserved[Self.tenantKey(tenant)] ?? 0)
            if let reason = Self.refusal(worstCaseUSD: worstCaseUSD, limits: limits, spending: spending, held: held,
                                         hasRun: runId != nil, tenant: tenant) {
                return .failure(Refusal(reason: reason))
            }
            for key in keys { reserved[key, default: 0] += worstCaseUSD }
            return .success(Reservation(keys: keys, amount: worstCaseUSD))
        }
    }

    private static func refusal(
        worstCaseUSD: Double, limits: Limits, spending: GatewayStore.Spending, held: (run: Double, tenant: Double),
        hasRun: Bool, tenant: String
    ) -> String? {
        if let budget = limits.runUSD, hasRun {
            let spent = spending.runUSD + held.run
            if spent + worstCaseUSD > budget + 1e-9 {
                return "the run's budget of \(money(budget)) USD would be exceeded (spent \(money(spent)) USD, "
                    + "this call up to \(money(worstCaseUSD)) USD)"
            }
        }
        if let budget = limits.tenantDailyUSD {
            let spent = spending.tenantDayUSD + held.tenant
            if spent + worstCaseUSD > budget + 1e-9 {
                return "tenant \(tenant)'s daily budget of \(money(budget)) USD would be exceeded "
                    + "(spent \(money(spent)) USD today, this call up to \(money(worstCaseUSD)) USD)"
            }
        }
        if let budget = limits.tenantMonthlyUSD {
            let spent = spending.tenantMonthUSD + held.tenant
            if spent + worstCaseUSD > budget + 1e-9 {
                return "tenant \(tenant)'s monthly budget of \(money(budget)) USD would be exceeded "
                    + "(spent \(money(spent)) USD this month, this call up to \(money(worstCaseUSD)) USD)"
            }
        }
        return nil
    }

    /// Gives a reservation back, once the call's real cost is in `model_usage` (or the call failed
    /// without spending).
    func release(_ reservation: Reservation) {
        reserved.withLock { reserved in
            for key in reservation.keys {
                let left = (reserved[key] ?? 0) - reservation.amount
                reserved[key] = left > 1e-12 ? left : nil
            }
        }
    }

    /// How many runs and tenants hold reservations (it must drain to zero between calls).
    var reservationCount: Int { reserved.withLock { $0.count } }

    private static func runKey(_ id: UUID) -> String { "run:" + id.uuidString }
    private static func tenantKey(_ tenant: String) -> String { "tenant:" + tenant }

    static func money(_ value: Double) -> String { String(format: "%.6f", value) }
}
