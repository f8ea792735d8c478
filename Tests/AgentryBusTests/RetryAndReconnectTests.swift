import AgentryBus
import Testing

@Suite struct RetryAndReconnectTests {
    @Test func tiersGrowWithAttempts() {
        #expect(RetryTier.forAttempt(1) == .oneSecond)
        #expect(RetryTier.forAttempt(2) == .fiveSeconds)
        #expect(RetryTier.forAttempt(3) == .thirtySeconds)
        #expect(RetryTier.forAttempt(4) == .fiveMinutes)
        #expect(RetryTier.forAttempt(40) == .fiveMinutes)
        #expect(RetryTier.allCases.map(\.milliseconds) == [1_000, 5_000, 30_000, 300_000])
    }

    @Test func backoffIsJitteredAndCapped() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(5), multiplier: 2)
        #expect(policy.delay(forAttempt: 0, random: 0) == .milliseconds(50))
        #expect(policy.delay(forAttempt: 0, random: 1) == .milliseconds(100))
        #expect(policy.delay(forAttempt: 3, random: 1) == .milliseconds(800))
        #expect(policy.delay(forAttempt: 30, random: 1) == .seconds(5))
        #expect(policy.delay(forAttempt: 30, random: 0) == .milliseconds(2_500))
        for attempt in 0..<20 {
            let delay = policy.delay(forAttempt: attempt)
            #expect(delay > .zero && delay <= .seconds(5))
        }
    }
}
