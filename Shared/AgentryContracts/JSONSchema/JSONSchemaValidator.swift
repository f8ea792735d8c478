/// Checks JSON values against a JSON Schema: the structured-output check of the model gateway.
///
/// Supports the subset that models' response schemas use (draft 2020-12, with the OpenAPI 3.0 and
/// draft-07 spellings models also meet):
///
/// - any value: `type` (a name or a list; `integer` is a number without a fraction), `enum`, `const`,
///   `nullable: true` (OpenAPI 3.0: a `null` instance is accepted whatever the other keywords say),
///   boolean schemas `true` and `false`;
/// - objects: `properties`, `required`, `additionalProperties` (boolean or schema), `patternProperties`,
///   `minProperties`, `maxProperties`;
/// - arrays: `items`, `prefixItems` (and the older array form of `items` with `additionalItems`),
///   `minItems`, `maxItems`, `uniqueItems`;
/// - strings: `minLength` and `maxLength`, counted in Unicode scalars (code points) as JSON Schema
///   specifies, so a decomposed "é" counts two; `pattern`, an unanchored search with
///   `NSRegularExpression` (ICU syntax, which agrees with ECMA-262 on the common constructs);
/// - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (as numbers, or as booleans
///   modifying `minimum` and `maximum` as in OpenAPI 3.0), `multipleOf` (with a tolerance of a few ulps
///   so that `0.3` is a multiple of `0.1`);
/// - composition: `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`;
/// - `$ref` to a JSON Pointer inside the schema (`#`, `#/$defs/…`, `#/definitions/…`), applied
///   together with its sibling keywords as in 2020-12.
///
/// `format`, annotations and unknown keywords are ignored. A malformed schema never crashes the
/// validator: an invalid `pattern`, an unresolvable `$ref` or a keyword of the wrong kind is reported
/// as a violation whose message starts with `schema error:`. Hostile input is bounded twice: schema
/// applications may nest at most `maximumDepth` levels (which stops `$ref` cycles), and one validation
/// may apply at most `evaluationBudget` subschemas (which stops schemas that blow up exponentially);
/// hitting either limit is reported as a violation, so such an instance never conforms.
///
/// ```swift
/// let validator = JSONSchemaValidator(schema: ["type": "object", "required": ["steps"]])
/// validator.violations(of: ["plan": []])
/// // [(root): missing required property "steps"]
/// guard let reply = JSONSchemaValidator.parseJSON(modelText) else { ... }
/// try validator.validate(reply)
/// ```
public struct JSONSchemaValidator: Sendable {
    /// The schema instances are checked against.
    public let schema: JSONValue
    /// How deeply schema applications may nest (each subschema or `$ref` followed is one level).
    public let maximumDepth: Int
    /// How many subschema applications one validation may make before it gives up.
    public let evaluationBudget: Int

    /// Creates a validator for `schema`.
    ///
    /// - Parameters:
    ///   - schema: A JSON Schema; it is not checked up front, its problems surface as violations.
    ///   - maximumDepth: The nesting limit for schema applications, 64 by default.
    ///   - evaluationBudget: The number of subschema applications one validation may make, 1,000,000
    ///     by default, which is far more than a model's reply needs.
    public init(schema: JSONValue, maximumDepth: Int = 64, evaluationBudget: Int = 1_000_000) {
        self.schema = schema
        self.maximumDepth = max(1, maximumDepth)
        self.evaluationBudget = max(1, evaluationBudget)
    }

    /// The ways `instance` breaks the schema, in a deterministic order; empty when it conforms.
    ///
    /// - Parameters:
    ///   - instance: The value to check, e.g. a model's parsed reply.
    ///   - limit: The most violations to return (at least 1); validation stops once it has found them.
    /// - Returns: At most `limit` violations, each with a JSON Pointer into `instance`.
    public func violations(of instance: JSONValue, limit: Int = 20) -> [JSONSchemaViolation] {
        var evaluation = JSONSchemaEvaluation(
            root: schema, maximumDepth: maximumDepth, evaluationBudget: evaluationBudget, limit: max(1, limit)
        )
        return evaluation.run(on: instance)
    }

    /// True when `instance` conforms to the schema.
    public func conforms(_ instance: JSONValue) -> Bool {
        violations(of: instance, limit: 1).isEmpty
    }

    /// Throws the violations (up to 20) when `instance` does not conform to the schema.
    public func validate(_ instance: JSONValue) throws(JSONSchemaViolations) {
        let found = violations(of: instance)
        if !found.isEmpty {
            throw JSONSchemaViolations(found)
        }
    }
}
