/// One way a JSON instance breaks a JSON schema: where (a JSON Pointer into the instance) and what.
///
/// ```swift
/// JSONSchemaViolation(path: "/steps/0", message: #"missing required property "tool""#).description
/// // /steps/0: missing required property "tool"
/// ```
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance, as a JSON Pointer (RFC 6901) such as `/steps/0/tool`; `""` is the instance itself.
    public var path: String
    /// What is wrong there, in one short sentence fit to show a model, e.g. `expected string, got number`.
    /// Problems with the schema itself (an invalid `pattern`, an unresolvable `$ref`) start with `schema error:`.
    public var message: String

    /// Creates a violation at `path` (a JSON Pointer, `""` for the root) described by `message`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, with `(root)` standing for the empty path.
    public var description: String {
        "\(path.isEmpty ? "(root)" : path): \(message)"
    }
}
