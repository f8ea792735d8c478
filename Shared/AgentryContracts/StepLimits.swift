/// What a single step may consume before it is stopped.
public struct StepLimits: Codable, Sendable, Equatable, Hashable {
    /// Wall-clock limit for one attempt, in seconds.
    public var timeoutSeconds: Int
    /// How many attempts in all (the first plus retries); at least 1.
    public var maxAttempts: Int
    /// Largest output the worker may return, in bytes; `nil` means the worker's own limit.
    public var maxOutputBytes: Int?

    /// Creates limits; the defaults suit a typical tool call (5 minutes, 3 attempts).
    public init(timeoutSeconds: Int = 300, maxAttempts: Int = 3, maxOutputBytes: Int? = nil) {
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.maxOutputBytes = maxOutputBytes
    }

    /// 5 minutes, 3 attempts, the worker's own output limit.
    public static let standard = StepLimits()
}

extension StepLimits {
    private enum CodingKeys: String, CodingKey {
        case timeoutSeconds, maxAttempts, maxOutputBytes
    }

    /// Decodes limits; a limit left out takes its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = StepLimits.standard
        self.init(
            timeoutSeconds: try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds,
            maxAttempts: try container.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts,
            maxOutputBytes: try container.decodeIfPresent(Int.self, forKey: .maxOutputBytes))
    }
}
