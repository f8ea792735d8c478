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

    /// Why a call costing up to `worstCaseUSD` may not be made, or nil when it may.
    func refusal(worstCaseUSD: Double, limits: Limits, spending: GatewayStore.Spending, runId: UUID?, tenant: String) -> String? {
        let held = reserved.withLock { reserved in
            (run: runId.map { reserved[Self.runKey($0)] ?? 0 } ?? 0, tenant: reserved[Self.tenantKey(tenant)] ?? 0)
        }
        if let budget = limits.runUSD, runId != nil {
            let spent = spending.runUSD + held.run
            if spent + worstCaseUSD > budget + 1e-9 {
                return "the run's budget of \(Self.money(budget)) USD would be exceeded (spent \(Self.money(spent)) USD, "
                    + "this call up to \(Self.money(worstCaseUSD)) USD)"
            }
        }
        if let budget = limits.tenantDailyUSD {
            let spent = spending.tenantDayUSD + held.tenant
            if spent + worstCaseUSD > budget + 1e-9 {
                return "tenant \(tenant)'s daily budget of \(Self.money(budget)) USD would be exceeded "
                    + "(spent \(Self.money(spent)) USD today, this call up to \(Self.money(worstCaseUSD)) USD)"
            }
        }
        if let budget = limits.tenantMonthlyUSD {
            let spent = spending.tenantMonthUSD + held.tenant
            if spent + worstCaseUSD > budget + 1e-9 {
                return "tenant \(tenant)'s monthly budget of \(Self.money(budget)) USD would be exceeded "
                    + "(spent \(Self.money(spent)) USD this month, this call up to \(Self.money(worstCaseUSD)) USD)"
            }
        }
        return nil
    }

    /// Holds `amount` against the run and the tenant until ``release(_:)``.
    func reserve(_ amount: Double, runId: UUID?, tenant: String) -> Reservation {
        let keys = [Self.tenantKey(tenant)] + (runId.map { [Self.runKey($0)] } ?? [])
        reserved.withLock { reserved in
            for key in keys { reserved[key, default: 0] += amount }
        }
        return Reservation(keys: keys, amount: amount)
    }

    /// Gives a reservation back (the call's real cost is in `model_usage` by then).
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
