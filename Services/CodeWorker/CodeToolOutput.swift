import AgentryContracts
import Foundation

/// The output of a successful code step, `{exitCode, stdout, stderr, truncated}`.
struct CodeToolOutput: Sendable, Equatable {
    var exitCode: Int
    /// The first bytes of standard output.
    var standardOutput: ArraySlice<UInt8>
    /// The last bytes of standard error.
    var standardError: ArraySlice<UInt8>
    /// True when either stream was cut.
    var truncated: Bool

    init(exitCode: Int, standardOutput: [UInt8], standardError: [UInt8], truncated: Bool) {
        self.exitCode = exitCode
        self.standardOutput = UTF8Trimming.droppingIncompleteSuffix(standardOutput[...])
        self.standardError = UTF8Trimming.droppingContinuationPrefix(standardError[...])
        self.truncated = truncated
    }

    init(outcome: ScriptOutcome) {
        self.init(
            exitCode: outcome.exitCode, standardOutput: outcome.standardOutput.bytes,
            standardError: outcome.standardError.bytes,
            truncated: outcome.standardOutput.truncated || outcome.standardError.truncated)
    }

    /// The output as JSON.
    var json: JSONValue {
        [
            "exitCode": .number(Double(exitCode)),
            "stdout": .string(String(decoding: standardOutput, as: UTF8.self)),
            "stderr": .string(String(decoding: standardError, as: UTF8.self)),
            "truncated": .bool(truncated),
        ]
    }

    /// The output as JSON, shortened when needed so that its encoding fits in `maxBytes` (the step's
    /// `limits.maxOutputBytes`, which the worker enforces on the whole output).
    ///
    /// The room left besides the fixed members is shared fairly: a stream that needs less than half
    /// keeps all of it and the other gets the rest; otherwise each gets half. Standard output loses
    /// its end and standard error its start, and ``truncated`` is set. When not even empty streams
    /// fit, they are returned empty (and the worker reports the step's output as too large).
    func json(fittingIn maxBytes: Int?) -> JSONValue {
        guard let maxBytes, Self.encodedSize(json) > maxBytes else { return json }
        var fitted = self
        fitted.truncated = true
        fitted.standardOutput = []
        fitted.standardError = []
        let available = maxBytes - Self.encodedSize(fitted.json)
        guard available > 0 else { return fitted.json }
        let outputSize = Self.encodedLength(standardOutput)
        let errorSize = Self.encodedLength(standardError)
        let half = available / 2
        let (outputBudget, errorBudget) = outputSize <= half ? (outputSize, available - outputSize)
            : errorSize <= half ? (available - errorSize, errorSize)
            : (half, available - half)
        fitted.standardOutput = Self.shortened(standardOutput, within: outputBudget, keep: .head)
        fitted.standardError = Self.shortened(standardError, within: errorBudget, keep: .tail)
        return fitted.json
    }

    /// The longest head (or tail) of `bytes`, cut between characters, whose JSON string encoding
    /// takes at most `budget` bytes.
    static func shortened(
        _ bytes: ArraySlice<UInt8>, within budget: Int, keep: OutputCapture.Keep
    ) -> ArraySlice<UInt8> {
        var kept = bytes
        while true {
            let size = encodedLength(kept)
            guard size > budget, !kept.isEmpty else { return kept }
            // Keep the share of bytes that the budget is of the encoding (escapes make the encoding
            // longer than the bytes, unevenly), and measure again.
            let count = min(kept.count - 1, kept.count * budget / size)
            kept = keep == .head ? UTF8Trimming.droppingIncompleteSuffix(kept.prefix(count))
                : UTF8Trimming.droppingContinuationPrefix(kept.suffix(count))
        }
    }

    /// The length of `bytes` encoded as a JSON string, without its quotes.
    static func encodedLength(_ bytes: ArraySlice<UInt8>) -> Int {
        encodedSize(.string(String(decoding: bytes, as: UTF8.self))) - 2
    }

    /// The size of `value` as the worker measures it (`JSONEncoder` with default settings).
    static func encodedSize(_ value: JSONValue) -> Int {
        (try? JSONEncoder().encode(value).count) ?? Int.max
    }
}
