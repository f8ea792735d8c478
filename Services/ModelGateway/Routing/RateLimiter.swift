/// Requests-per-minute and tokens-per-minute limits of one routing entry.
///
/// A call reserves one request and its estimated tokens; when the budget of the last minute is
/// spent it waits, in arrival order, for as long as its deadline allows (calls queue rather than
/// fail), and is refused only when the wait would pass the deadline. Each limit is a generic cell
/// rate algorithm: a bucket of one minute's allowance refilled continuously.
actor RateLimiter {
    /// One limit as a theoretical arrival time: the instant the bucket would be empty again.
    struct Bucket: Sendable {
        /// Allowance per minute (also the burst).
        let perMinute: Int
        /// When the reservations made so far are paid off.
        var paidOffAt: ContinuousClock.Instant

        /// The time one unit takes to refill.
        var interval: Duration { .seconds(60) / perMinute }

        /// When `units` (capped at a minute's allowance) may go ahead, and the new paid-off instant.
        func schedule(_ units: Int, now: ContinuousClock.Instant) -> (start: ContinuousClock.Instant, paidOff: ContinuousClock.Instant) {
            let units = min(max(units, 0), perMinute)
            let paidOff = max(paidOffAt, now) + interval * units
            let start = max(now, paidOff - .seconds(60))
            return (start, paidOff)
        }
    }

    private var requests: Bucket?
    private var tokens: Bucket?

    init(requestsPerMinute: Int?, tokensPerMinute: Int?, now: ContinuousClock.Instant = .now) {
        requests = requestsPerMinute.map { Bucket(perMinute: $0, paidOffAt: now) }
        tokens = tokensPerMinute.map { Bucket(perMinute: $0, paidOffAt: now) }
    }

    /// Whether the entry has any limit.
    nonisolated static func limits(requestsPerMinute: Int?, tokensPerMinute: Int?) -> Bool {
        requestsPerMinute != nil || tokensPerMinute != nil
    }

    /// Reserves a call of about `estimatedTokens` and waits until it may go ahead.
    ///
    /// - Returns: false (and reserves nothing) when it could not go ahead before `deadline`.
    /// - Throws: `CancellationError` when the caller is cancelled while waiting.
    func acquire(estimatedTokens: Int, deadline: ContinuousClock.Instant) async throws -> Bool {
        let now = ContinuousClock.now
        let requestSlot = requests?.schedule(1, now: now)
        let tokenSlot = tokens?.schedule(estimatedTokens, now: now)
        let start = max(requestSlot?.start ?? now, tokenSlot?.start ?? now)
        guard start <= deadline else { return false }
        if let requestSlot { requests?.paidOffAt = requestSlot.paidOff }
        if let tokenSlot { tokens?.paidOffAt = tokenSlot.paidOff }
        if start > now { try await Task.sleep(until: start, clock: .continuous) }
        return true
    }

    /// Corrects the token reservation by what the call really used (`actual - estimated`).
    func settle(estimatedTokens: Int, actualTokens: Int) {
        guard var bucket = tokens, actualTokens != estimatedTokens else { return }
        let difference = actualTokens - estimatedTokens
        let now = ContinuousClock.now
        let floor = now - .seconds(60)
        if difference > 0 {
            bucket.paidOffAt = max(bucket.paidOffAt, now) + bucket.interval * min(difference, bucket.perMinute)
        } else {
            bucket.paidOffAt = max(floor, bucket.paidOffAt - bucket.interval * min(-difference, bucket.perMinute))
        }
        tokens = bucket
    }
}
