extension JSONValue {
    /// The JSON Schema type name of this value's kind: `null`, `boolean`, `number`, `string`, `array`, `object`.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// True when this value is an instance of the JSON Schema type `name`; `integer` means a finite
    /// number without a fractional part, and `number` includes integers. Unknown names match nothing.
    func hasSchemaType(_ name: String) -> Bool {
        switch (name, self) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string),
            ("array", .array), ("object", .object):
            true
        case ("integer", .number(let value)):
            value.isFinite && value.rounded(.towardZero) == value
        default:
            false
        }
    }

    /// Compact JSON text for violation messages (object keys sorted), cut to about `maximumLength` characters.
    func messageText(maximumLength: Int = 80) -> String {
        var text = ""
        render(into: &text, budget: maximumLength)
        if text.count > maximumLength {
            return String(text.prefix(maximumLength)) + "…"
        }
        return text
    }

    /// Compact JSON text for violation messages, cut to about 80 characters.
    var messageText: String { messageText() }

    /// Appends compact JSON text to `text`, stopping early once it is longer than `budget` characters.
    private func render(into text: inout String, budget: Int) {
        guard text.utf8.count <= budget * 4 + 8 else { return }
        switch self {
        case .null:
            text += "null"
        case .bool(let value):
            text += value ? "true" : "false"
        case .number(let value):
            text += Self.numberText(value)
        case .string(let value):
            text += Self.quoted(value)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                element.render(into: &text, budget: budget)
                if text.utf8.count > budget * 4 + 8 { return }
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                text += Self.quoted(key) + ":"
                members[key]?.render(into: &text, budget: budget)
                if text.utf8.count > budget * 4 + 8 { return }
            }
            text += "}"
        }
    }

    /// A number as JSON writes it: integers without a fraction, others in Swift's shortest form.
    static func numberText(_ value: Double) -> String {
        if value.isFinite, value.rounded(.towardZero) == value, abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// A string as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
