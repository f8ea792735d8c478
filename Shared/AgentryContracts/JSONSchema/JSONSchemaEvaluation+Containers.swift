import Foundation

extension JSONSchemaEvaluation {
    /// `minItems`, `maxItems`, `uniqueItems`, `prefixItems` and `items` (or the older array form of
    /// `items` with `additionalItems`).
    mutating func checkArray(_ keywords: [String: JSONValue], _ elements: [JSONValue], at path: String, depth: Int) {
        if let minimum = countKeyword("minItems", in: keywords, at: path), elements.count < minimum {
            report(at: path, "must have at least \(minimum) \(minimum == 1 ? "item" : "items"), has \(elements.count)")
        }
        if let maximum = countKeyword("maxItems", in: keywords, at: path), elements.count > maximum {
            report(at: path, "must have at most \(maximum) \(maximum == 1 ? "item" : "items"), has \(elements.count)")
        }
        if keywords["uniqueItems"] == .bool(true) {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, element) in elements.enumerated() {
                if let earlier = firstIndex[element] {
                    report(at: path, "items must be unique, but items \(earlier) and \(index) are equal")
                    break
                }
                firstIndex[element] = index
            }
        }

        let prefixSchemas: [JSONValue]
        let restSchema: JSONValue?
        switch (keywords["prefixItems"], keywords["items"]) {
        case (_, .array(let schemas)):
            prefixSchemas = schemas
            restSchema = keywords["additionalItems"]
        case (.some(.array(let schemas)), let items):
            prefixSchemas = schemas
            restSchema = items
        case (.some, _):
            schemaError(at: path, "prefixItems must be an array of schemas")
            return
        case (.none, let items):
            prefixSchemas = []
            restSchema = items
        }
        for (index, element) in elements.enumerated() {
            guard !isDone else { return }
            let elementPath = JSONPointer.appending(index, to: path)
            if index < prefixSchemas.count {
                check(prefixSchemas[index], element, at: elementPath, depth: depth + 1)
            } else if restSchema == .bool(false) {
                let allowed = prefixSchemas.count
                let noun = allowed == 1 ? "item" : "items"
                report(at: path, "must have at most \(allowed) \(noun), has \(elements.count)")
                return
            } else if let restSchema {
                check(restSchema, element, at: elementPath, depth: depth + 1)
            } else {
                return
            }
        }
    }

    /// `required`, `minProperties`, `maxProperties`, `properties`, `patternProperties` and
    /// `additionalProperties`. Members are visited in key order, so the violations come out in the same
    /// order every time.
    mutating func checkObject(
        _ keywords: [String: JSONValue], _ members: [String: JSONValue], at path: String, depth: Int
    ) {
        if let required = keywords["required"] {
            if case .array(let names) = required {
                for name in names {
                    guard case .string(let key) = name else {
                        schemaError(at: path, "required must be an array of strings")
                        break
                    }
                    if members[key] == nil {
                        report(at: path, "missing required property \(name.messageText)")
                    }
                }
            } else {
                schemaError(at: path, "required must be an array of strings")
            }
        }
        if let minimum = countKeyword("minProperties", in: keywords, at: path), members.count < minimum {
            let noun = minimum == 1 ? "property" : "properties"
            report(at: path, "must have at least \(minimum) \(noun), has \(members.count)")
        }
        if let maximum = countKeyword("maxProperties", in: keywords, at: path), members.count > maximum {
            let noun = maximum == 1 ? "property" : "properties"
            report(at: path, "must have at most \(maximum) \(noun), has \(members.count)")
        }

        var properties: [String: JSONValue] = [:]
        if let declared = keywords["properties"] {
            if case .object(let schemas) = declared {
                properties = schemas
            } else {
                schemaError(at: path, "properties must be an object of schemas")
            }
        }
        for key in properties.keys.sorted() {
            guard !isDone else { return }
            if let member = members[key], let schema = properties[key] {
                check(schema, member, at: JSONPointer.appending(key, to: path), depth: depth + 1)
            }
        }

        var patterns: [(expression: NSRegularExpression, schema: JSONValue)] = []
        if let declared = keywords["patternProperties"] {
            if case .object(let schemas) = declared {
                for source in schemas.keys.sorted() {
                    if let expression = expression(source, at: path), let schema = schemas[source] {
                        patterns.append((expression, schema))
                    }
                }
            } else {
                schemaError(at: path, "patternProperties must be an object of schemas")
            }
        }

        let additional = keywords["additionalProperties"]
        guard !patterns.isEmpty || additional != nil else { return }
        for key in members.keys.sorted() {
            guard !isDone else { return }
            guard let member = members[key] else { continue }
            let memberPath = JSONPointer.appending(key, to: path)
            var matchedPattern = false
            for pattern in patterns where Self.matches(pattern.expression, key) {
                matchedPattern = true
                check(pattern.schema, member, at: memberPath, depth: depth + 1)
            }
            guard !matchedPattern, properties[key] == nil, let additional else { continue }
            if additional == .bool(false) {
                let name = JSONValue.string(key).messageText
                report(at: memberPath, "property \(name) is not allowed\(Self.allowedList(properties))")
            } else {
                check(additional, member, at: memberPath, depth: depth + 1)
            }
        }
    }

    /// ` (allowed: "a", "b")` naming the declared properties, for a message about an unexpected one.
    private static func allowedList(_ properties: [String: JSONValue]) -> String {
        guard !properties.isEmpty else { return "" }
        let names = properties.keys.sorted().prefix(20).map { JSONValue.string($0).messageText }
        return " (allowed: \(names.joined(separator: ", "))\(properties.count > 20 ? ", …" : ""))"
    }
}
