import Foundation

/// Parses `Retry-After`.
enum RetryAfter {
    /// `Retry-After` in delay-seconds form, capped at an hour; `nil` when absent or an HTTP date.
    static func parse(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(min(seconds, 3600))
    }
}
