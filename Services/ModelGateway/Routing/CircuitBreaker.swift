import Metrics
import Synchronization

/// A routing entry's circuit breaker: after `failureThreshold` consecutive failures it opens and
/// the entry is passed over; after `coolDown` one request is let through as a probe (half-open);
/// the probe's success closes it, its failure opens it again for another cool-down.
///
/// Its state is exported as the gauge `agentry_model_breaker_state{entry}` (0 closed, 1 half-open,
/// 2 open; an open circuit reads 2 until a probe is let through) and its transitions as
/// `agentry_model_breaker_transitions_total{entry,to}`.
final class CircuitBreaker: Sendable {
    /// The breaker's state.
    enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)

        /// The gauge value: 0 closed, 1 half-open, 2 open.
        var gaugeValue: Int {
            switch self {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        }

        var name: String {
            switch self {
            case .closed: "closed"
            case .halfOpen: "half_open"
            case .open: "open"
            }
        }
    }

    /// Whether a call may go ahead.
    enum Admission: Sendable, Equatable {
        /// The circuit is closed.
        case allowed
        /// The circuit is half-open and this call is its single probe.
        case probe
        /// The circuit is open (or half-open with its probe in flight) until about this instant.
        case rejected(retryAt: ContinuousClock.Instant)
    }

    let entry: String
    private let failureThreshold: Int
    private let coolDown: Duration
    private let state = Mutex(State.closed(consecutiveFailures: 0))
    private let gauge: Gauge

    init(entry: String, failureThreshold: Int, coolDown: Duration) {
        self.entry = entry
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
        gauge = Gauge(label: "agentry_model_breaker_state", dimensions: [("entry", entry)])
        gauge.record(0)
    }

    /// The current state (an open circuit past its cool-down reads as half-open).
    var current: State {
        state.withLock { state in
            if case .open(let until) = state, until <= .now { return .halfOpen(probeInFlight: false) }
            return state
        }
    }

    /// When the circuit would turn a call away now, until about when; nil when a call (or a probe)
    /// could go ahead. Takes nothing: ``admit(now:)`` does.
    func rejectsUntil(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        state.withLock { state in
            switch state {
            case .open(let until) where until > now: until
            case .halfOpen(probeInFlight: true): now + coolDown
            default: nil
            }
        }
    }

    /// Asks to make a call now. A `.probe` admission must be followed by ``record(success:)`` or
    /// ``releaseProbe()``.
    func admit(now: ContinuousClock.Instant = .now) -> Admission {
        state.withLock { state -> Admission in
            switch state {
            case .closed:
                return .allowed
            case .open(let until) where until > now:
                return .rejected(retryAt: until)
            case .open, .halfOpen(probeInFlight: false):
                let wasOpen = state.gaugeValue == 2
                state = .halfOpen(probeInFlight: true)
                if wasOpen { publish(state) }
                return .probe
            case .halfOpen(probeInFlight: true):
                return .rejected(retryAt: now + coolDown)
            }
        }
    }

    /// Records a call's outcome. Success closes the circuit; a failure counts towards opening it,
    /// and a failed probe opens it again.
    func record(success: Bool, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            let before = state
            switch (state, success) {
            case (_, true):
                state = .closed(consecutiveFailures: 0)
            case (.closed(let failures), false):
                state = failures + 1 >= failureThreshold
                    ? .open(until: now + coolDown) : .closed(consecutiveFailures: failures + 1)
            case (.halfOpen, false), (.open, false):
                state = .open(until: now + coolDown)
            }
            // Published under the lock, so concurrent changes reach the gauge in their order.
            if before.gaugeValue != state.gaugeValue { publish(state) }
        }
    }

    /// Gives a probe admission back without an outcome (the call was never made, e.g. the rate
    /// limit or the budget stopped it), so the next request may probe.
    func releaseProbe() {
        state.withLock { state in
            if case .halfOpen(probeInFlight: true) = state { state = .halfOpen(probeInFlight: false) }
        }
    }

    private func publish(_ state: State) {
        gauge.record(state.gaugeValue)
        Counter(label: "agentry_model_breaker_transitions_total", dimensions: [("entry", entry), ("to", state.name)])
            .increment()
    }
}
