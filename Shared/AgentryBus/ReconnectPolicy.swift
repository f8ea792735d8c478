import Foundation

/// Exponential back-off with full jitter for re-establishing a lost connection.
public struct ReconnectPolicy: Sendable, Equatable {
    /// The first delay after a failure.
    public var initialDelay: Duration
    /// The largest delay between attempts.
    public var maximumDelay: Duration
    /// Growth factor per consecutive failure.
    public var multiplier: Double

    public init(
        initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5), multiplier: Double = 2
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
    }

    /// The delay before attempt `attempt` (0-based): a random point in [cap/2, cap] where cap grows
    /// exponentially up to ``maximumDelay``.
    public func delay(forAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let initial = initialDelay.seconds
        let cap = min(maximumDelay.seconds, initial * pow(multiplier, Double(min(attempt, 32))))
        return .seconds(cap / 2 + cap / 2 * random)
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
