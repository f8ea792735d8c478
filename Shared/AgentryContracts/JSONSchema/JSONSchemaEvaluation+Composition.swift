extension JSONSchemaEvaluation {
    /// `allOf`, `anyOf`, `oneOf`, `not` and `if`/`then`/`else`.
    ///
    /// `allOf`, `then` and `else` report their subschemas' own violations; `anyOf`, `oneOf` and `not`
    /// report one violation at the instance, summarising why each alternative failed.
    mutating func checkComposition(
        _ keywords: [String: JSONValue], _ instance: JSONValue, at path: String, depth: Int
    ) {
        if let allOf = keywords["allOf"], let schemas = schemaList("allOf", allOf, at: path) {
            for schema in schemas {
                guard !isDone else { return }
                check(schema, instance, at: path, depth: depth + 1)
            }
        }
        if let anyOf = keywords["anyOf"], let schemas = schemaList("anyOf", anyOf, at: path) {
            var failures: [[JSONSchemaViolation]] = []
            for schema in schemas {
                let found = probe(schema, instance, at: path, depth: depth + 1)
                guard !isDone else { return }
                if found.isEmpty { break }
                failures.append(found)
            }
            if failures.count == schemas.count {
                report(at: path, "must match at least one schema in anyOf: \(Self.summary(failures, at: path))")
            }
        }
        if let oneOf = keywords["oneOf"], let schemas = schemaList("oneOf", oneOf, at: path) {
            var failures: [[JSONSchemaViolation]] = []
            var matched: [Int] = []
            for (index, schema) in schemas.enumerated() {
                let found = probe(schema, instance, at: path, depth: depth + 1)
                guard !isDone else { return }
                if found.isEmpty {
                    matched.append(index)
                } else {
                    failures.append(found)
                }
            }
            if matched.isEmpty {
                let reasons = Self.summary(failures, at: path)
                report(at: path, "must match exactly one schema in oneOf, matches none: \(reasons)")
            } else if matched.count > 1 {
                let list = matched.map { "[\($0)]" }.joined(separator: ", ")
                report(at: path, "must match exactly one schema in oneOf, matches \(matched.count): \(list)")
            }
        }
        if let not = keywords["not"] {
            let found = probe(not, instance, at: path, depth: depth + 1)
            guard !isDone else { return }
            if found.isEmpty {
                report(at: path, "must not match the schema in not: \(not.messageText)")
            }
        }
        if let condition = keywords["if"] {
            let found = probe(condition, instance, at: path, depth: depth + 1)
            guard !isDone else { return }
            if let branch = found.isEmpty ? keywords["then"] : keywords["else"] {
                check(branch, instance, at: path, depth: depth + 1)
            }
        }
    }

    /// The subschemas of `allOf`, `anyOf` or `oneOf`, or `nil` (after a schema error) when `value` is
    /// not a non-empty array.
    private mutating func schemaList(_ name: String, _ value: JSONValue, at path: String) -> [JSONValue]? {
        guard case .array(let schemas) = value, !schemas.isEmpty else {
            schemaError(at: path, "\(name) must be a non-empty array of schemas")
            return nil
        }
        return schemas
    }

    /// `[0] why; [1] why` from the first violation of each failed alternative, naming its path when it
    /// is deeper than `path`; at most 5 alternatives, each cut to 160 characters.
    private static func summary(_ failures: [[JSONSchemaViolation]], at path: String) -> String {
        var parts: [String] = []
        for (index, found) in failures.prefix(5).enumerated() {
            guard let first = found.first else { continue }
            var text = first.path == path ? first.message : "\(first.path): \(first.message)"
            if text.count > 160 {
                text = String(text.prefix(160)) + "…"
            }
            parts.append("[\(index)] \(text)")
        }
        if failures.count > 5 {
            parts.append("…")
        }
        return parts.joined(separator: "; ")
    }
}
