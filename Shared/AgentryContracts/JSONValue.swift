/// An arbitrary JSON value: tool inputs and outputs, model schemas, run outputs.
///
/// Numbers are `Double`, as in JSON itself; integers up to 2^53 round-trip exactly.
///
/// ```swift
/// let input: JSONValue = ["query": "select 1", "limit": 100, "dryRun": false]
/// input["limit"]?.intValue  // 100
/// ```
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])
}
