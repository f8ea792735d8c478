import Foundation

extension JSONSchemaEvaluation {
    /// `type`: a type name or a list of them.
    mutating func checkType(_ keywords: [String: JSONValue], _ instance: JSONValue, at path: String) {
        guard let type = keywords["type"] else { return }
        let names: [String]
        switch type {
        case .string(let name):
            names = [name]
        case .array(let elements):
            let strings = elements.compactMap(\.stringValue)
            guard strings.count == elements.count, !strings.isEmpty else {
                return schemaError(at: path, "type must be a type name or a non-empty list of them")
            }
            names = strings
        default:
            return schemaError(at: path, "type must be a type name or a non-empty list of them")
        }
        if !names.contains(where: instance.hasSchemaType) {
            report(at: path, "expected \(names.joined(separator: " or ")), got \(instance.kindName)")
        }
    }

    /// `enum` (a list of allowed values) and `const` (the one allowed value).
    mutating func checkEnumAndConst(_ keywords: [String: JSONValue], _ instance: JSONValue, at path: String) {
        if let allowed = keywords["enum"] {
            if case .array(let values) = allowed {
                if !values.contains(instance) {
                    let listed = values.prefix(20).map(\.messageText).joined(separator: ", ")
                    report(at: path, "must be one of \(listed)\(values.count > 20 ? ", …" : "")")
                }
            } else {
                schemaError(at: path, "enum must be an array")
            }
        }
        if let constant = keywords["const"], constant != instance {
            report(at: path, "must be \(constant.messageText)")
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` and `multipleOf`.
    ///
    /// `exclusiveMinimum` and `exclusiveMaximum` are numbers (2020-12) or booleans that make `minimum`
    /// and `maximum` exclusive (draft-04 and OpenAPI 3.0).
    mutating func checkNumber(_ keywords: [String: JSONValue], _ number: Double, at path: String) {
        let exclusiveMinimum = keywords["exclusiveMinimum"]
        let exclusiveMaximum = keywords["exclusiveMaximum"]
        if let minimum = numberKeyword("minimum", in: keywords, at: path) {
            if exclusiveMinimum == .bool(true) {
                if !(number > minimum) { report(at: path, "must be greater than \(JSONValue.numberText(minimum))") }
            } else if !(number >= minimum) {
                report(at: path, "must be at least \(JSONValue.numberText(minimum))")
            }
        }
        if let maximum = numberKeyword("maximum", in: keywords, at: path) {
            if exclusiveMaximum == .bool(true) {
                if !(number < maximum) { report(at: path, "must be less than \(JSONValue.numberText(maximum))") }
            } else if !(number <= maximum) {
                report(at: path, "must be at most \(JSONValue.numberText(maximum))")
            }
        }
        switch exclusiveMinimum {
        case .number(let bound) where !(number > bound):
            report(at: path, "must be greater than \(JSONValue.numberText(bound))")
        case .none, .bool, .number: break
        default: schemaError(at: path, "exclusiveMinimum must be a number or a boolean")
        }
        switch exclusiveMaximum {
        case .number(let bound) where !(number < bound):
            report(at: path, "must be less than \(JSONValue.numberText(bound))")
        case .none, .bool, .number: break
        default: schemaError(at: path, "exclusiveMaximum must be a number or a boolean")
        }
        if let divisor = numberKeyword("multipleOf", in: keywords, at: path) {
            if !(divisor > 0) || !divisor.isFinite {
                schemaError(at: path, "multipleOf must be a number greater than 0")
            } else if !Self.isMultiple(number, of: divisor) {
                report(at: path, "must be a multiple of \(JSONValue.numberText(divisor))")
            }
        }
    }

    /// True when `value / divisor` is a whole number, allowing a rounding error of a few ulps of the
    /// quotient so that decimal divisors such as 0.1 (not exact in binary) behave as written.
    static func isMultiple(_ value: Double, of divisor: Double) -> Bool {
        let quotient = value / divisor
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= max(1e-9, abs(quotient) * 2 * .ulpOfOne)
    }

    /// `minLength`, `maxLength` (in Unicode scalars) and `pattern` (an unanchored search).
    mutating func checkString(_ keywords: [String: JSONValue], _ string: String, at path: String) {
        let minimum = countKeyword("minLength", in: keywords, at: path)
        let maximum = countKeyword("maxLength", in: keywords, at: path)
        if minimum != nil || maximum != nil {
            let length = string.unicodeScalars.count
            if let minimum, length < minimum {
                report(at: path, "must be at least \(minimum) \(Self.characters(minimum)) long, is \(length)")
            }
            if let maximum, length > maximum {
                report(at: path, "must be at most \(maximum) \(Self.characters(maximum)) long, is \(length)")
            }
        }
        if let pattern = keywords["pattern"] {
            guard case .string(let source) = pattern else {
                return schemaError(at: path, "pattern must be a string")
            }
            guard let expression = expression(source, at: path) else { return }
            if !Self.matches(expression, string) {
                report(at: path, "must match the pattern \(pattern.messageText)")
            }
        }
    }

    /// "character" or "characters", to follow `count`.
    private static func characters(_ count: Int) -> String {
        count == 1 ? "character" : "characters"
    }

    /// True when `expression` matches somewhere in `string`.
    static func matches(_ expression: NSRegularExpression, _ string: String) -> Bool {
        expression.firstMatch(in: string, range: NSRange(location: 0, length: string.utf16.count)) != nil
    }

    /// The value of a numeric keyword, or `nil` when it is absent or (after a schema error) not a number.
    mutating func numberKeyword(_ name: String, in keywords: [String: JSONValue], at path: String) -> Double? {
        switch keywords[name] {
        case .none:
            return nil
        case .number(let value):
            return value
        case .some:
            schemaError(at: path, "\(name) must be a number")
            return nil
        }
    }

    /// The value of a count keyword such as `minItems`, or `nil` when it is absent or (after a schema
    /// error) not a non-negative integer.
    mutating func countKeyword(_ name: String, in keywords: [String: JSONValue], at path: String) -> Int? {
        guard let value = keywords[name] else { return nil }
        guard let count = value.intValue, count >= 0 else {
            schemaError(at: path, "\(name) must be a non-negative integer")
            return nil
        }
        return count
    }
}
