import Foundation

/// One validation of an instance against a schema: the violations found so far and the limits that
/// keep hostile schemas and instances bounded.
///
/// Violations go to the current `sink`. Combinators that only need to know whether a subschema matches
/// (`anyOf`, `oneOf`, `not`, `if`) `probe` it with a fresh one-violation sink; depth, budget and the
/// compiled patterns are shared by the whole validation. Running out of depth or budget sets `abort`,
/// which stops everything and is reported as a violation, so an aborted validation never conforms.
struct JSONSchemaEvaluation {
    /// Where violations are collected, and how many of them are wanted.
    struct Sink {
        var violations: [JSONSchemaViolation] = []
        let limit: Int

        /// True when no more violations are wanted.
        var isFull: Bool { violations.count >= limit }
    }

    /// The whole schema, which `$ref` pointers resolve against.
    let root: JSONValue
    /// How deeply schema applications may nest.
    let maximumDepth: Int
    /// The number of subschema applications a validation may make.
    let evaluationBudget: Int
    /// The number of subschema applications left.
    private var remainingBudget: Int
    /// Why the validation stopped early, when it ran out of depth or budget.
    private var abort: JSONSchemaViolation?
    /// The sink of the current pass (the top-level one, or a probe's).
    var sink: Sink
    /// Compiled `pattern` and `patternProperties` expressions; `nil` for a pattern that does not compile.
    private var expressions: [String: NSRegularExpression?] = [:]
    /// Resolved `$ref` targets; `nil` for a reference that resolves to nothing.
    private var references: [String: JSONValue?] = [:]

    /// Prepares a validation against `root` that collects at most `limit` violations.
    init(root: JSONValue, maximumDepth: Int, evaluationBudget: Int, limit: Int) {
        self.root = root
        self.maximumDepth = maximumDepth
        self.evaluationBudget = evaluationBudget
        self.remainingBudget = evaluationBudget
        self.sink = Sink(limit: limit)
    }

    /// True when this pass should stop: its sink is full or the validation was aborted.
    var isDone: Bool { abort != nil || sink.isFull }

    /// Checks `instance` against the root schema and returns the violations, ending with the reason
    /// for stopping when the validation was aborted.
    mutating func run(on instance: JSONValue) -> [JSONSchemaViolation] {
        check(root, instance, at: "", depth: 0)
        var found = sink.violations
        if let abort {
            found = Array(found.prefix(sink.limit - 1))
            found.append(abort)
        }
        return found
    }

    /// Applies `schema` to `instance` (found at `path`), reporting violations to the current sink.
    mutating func check(_ schema: JSONValue, _ instance: JSONValue, at path: String, depth: Int) {
        guard !isDone else { return }
        guard depth <= maximumDepth else {
            abort = JSONSchemaViolation(
                path: path,
                message: "validation nests deeper than \(maximumDepth) levels of subschemas "
                    + "(a $ref cycle, or a value nested too deeply)"
            )
            return
        }
        guard remainingBudget > 0 else {
            abort = JSONSchemaViolation(
                path: path,
                message: "validation needs too many steps (more than \(evaluationBudget)); "
                    + "the schema or the value is too large"
            )
            return
        }
        remainingBudget -= 1
        switch schema {
        case .bool(true):
            return
        case .bool(false):
            report(at: path, "no value is allowed here")
        case .object(let keywords):
            checkKeywords(keywords, instance, at: path, depth: depth)
        default:
            schemaError(at: path, "a schema must be an object or a boolean, not \(schema.kindName)")
        }
    }

    /// Applies every keyword of an object schema.
    private mutating func checkKeywords(
        _ keywords: [String: JSONValue], _ instance: JSONValue, at path: String, depth: Int
    ) {
        if keywords["nullable"] == .bool(true), instance == .null { return }
        if let reference = keywords["$ref"] {
            checkReference(reference, instance, at: path, depth: depth)
        }
        checkType(keywords, instance, at: path)
        checkEnumAndConst(keywords, instance, at: path)
        switch instance {
        case .number(let number): checkNumber(keywords, number, at: path)
        case .string(let string): checkString(keywords, string, at: path)
        case .array(let elements): checkArray(keywords, elements, at: path, depth: depth)
        case .object(let members): checkObject(keywords, members, at: path, depth: depth)
        case .null, .bool: break
        }
        checkComposition(keywords, instance, at: path, depth: depth)
    }

    /// Follows a `$ref` to a JSON Pointer inside the root schema and applies the target.
    private mutating func checkReference(_ reference: JSONValue, _ instance: JSONValue, at path: String, depth: Int) {
        guard case .string(let text) = reference else {
            return schemaError(at: path, "$ref must be a string")
        }
        let resolved: JSONValue?
        if let cached = references[text] {
            resolved = cached
        } else {
            resolved = JSONPointer.resolve(reference: text, in: root)
            references[text] = .some(resolved)
        }
        guard let target = resolved else {
            return schemaError(at: path, "cannot resolve $ref \(JSONValue.string(text).messageText)")
        }
        check(target, instance, at: path, depth: depth + 1)
    }

    /// Applies `schema` in a separate pass and returns its first violation, if any; `[]` means it
    /// matched. Check `isDone` afterwards: a probe that aborted, or was not run because the current
    /// pass is already done, also returns `[]`. (Not running it keeps a full pass from aborting later,
    /// so a smaller `limit` always yields a prefix of what a larger one yields.)
    mutating func probe(
        _ schema: JSONValue, _ instance: JSONValue, at path: String, depth: Int
    ) -> [JSONSchemaViolation] {
        guard !isDone else { return [] }
        let outer = sink
        sink = Sink(limit: 1)
        check(schema, instance, at: path, depth: depth)
        let found = sink.violations
        sink = outer
        return found
    }

    /// Records a violation of the instance at `path`, unless the sink is full.
    mutating func report(at path: String, _ message: String) {
        guard !isDone else { return }
        sink.violations.append(JSONSchemaViolation(path: path, message: message))
    }

    /// Records a problem with the schema itself, found while checking the instance at `path`.
    mutating func schemaError(at path: String, _ message: String) {
        report(at: path, "schema error: \(message)")
    }

    /// The compiled form of a `pattern`, or `nil` (after reporting a schema error) when it does not compile.
    mutating func expression(_ pattern: String, at path: String) -> NSRegularExpression? {
        let compiled: NSRegularExpression?
        if let cached = expressions[pattern] {
            compiled = cached
        } else {
            compiled = try? NSRegularExpression(pattern: pattern)
            expressions[pattern] = .some(compiled)
        }
        if compiled == nil {
            schemaError(at: path, "invalid regular expression \(JSONValue.string(pattern).messageText)")
        }
        return compiled
    }
}
