import AgentryContracts
import Foundation

/// Substitutes `{{steps.<id>.output.<path>}}` references in a step's input with earlier outputs.
///
/// A string that is exactly one reference becomes the referenced JSON value (an array stays an
/// array); references inside a longer string are interpolated as text (strings as they are, other
/// values as compact JSON). Paths walk object keys and array indices: `steps.q.output.rows.0.title`.
enum StepInputTemplate {
    struct UnresolvedReference: Error, CustomStringConvertible, Equatable {
        var reference: String
        var reason: String
        var description: String { "{{\(reference)}}: \(reason)" }
    }

    /// Resolves every reference in `input` against `outputs` (step id → output).
    static func resolve(_ input: JSONValue, outputs: [String: JSONValue]) throws -> JSONValue {
        switch input {
        case .string(let text): return try resolve(text, outputs: outputs)
        case .array(let items): return .array(try items.map { try resolve($0, outputs: outputs) })
        case .object(let fields): return .object(try fields.mapValues { try resolve($0, outputs: outputs) })
        case .null, .bool, .number: return input
        }
    }

    /// The step ids that `input` references.
    static func references(in input: JSONValue) -> Set<String> {
        switch input {
        case .string(let text):
            return Set(matches(in: text).compactMap { match in
                let parts = match.reference.split(separator: ".", omittingEmptySubsequences: false)
                return parts.count >= 2 && parts[0] == "steps" ? String(parts[1]) : nil
            })
        case .array(let items): return items.reduce(into: Set()) { $0.formUnion(references(in: $1)) }
        case .object(let fields): return fields.values.reduce(into: Set()) { $0.formUnion(references(in: $1)) }
        case .null, .bool, .number: return []
        }
    }

    private static func resolve(_ text: String, outputs: [String: JSONValue]) throws -> JSONValue {
        let found = matches(in: text)
        guard !found.isEmpty else { return .string(text) }
        if found.count == 1, found[0].range == text.startIndex..<text.endIndex {
            return try value(of: found[0].reference, outputs: outputs)
        }
        var result = ""
        var cursor = text.startIndex
        for match in found {
            result += text[cursor..<match.range.lowerBound]
            result += render(try value(of: match.reference, outputs: outputs))
            cursor = match.range.upperBound
        }
        result += text[cursor...]
        return .string(result)
    }

    private static func value(of reference: String, outputs: [String: JSONValue]) throws -> JSONValue {
        let parts = reference.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "steps", parts[2] == "output" else {
            throw UnresolvedReference(reference: reference, reason: "references must look like steps.<id>.output[.<path>]")
        }
        guard var current = outputs[parts[1]] else {
            throw UnresolvedReference(reference: reference, reason: "step '\(parts[1])' has no output")
        }
        for key in parts.dropFirst(3) {
            if let index = Int(key), case .array(let items) = current {
                guard items.indices.contains(index) else {
                    throw UnresolvedReference(reference: reference, reason: "index \(index) is out of range (\(items.count) items)")
                }
                current = items[index]
            } else if case .object(let fields) = current, let next = fields[key] {
                current = next
            } else {
                throw UnresolvedReference(reference: reference, reason: "the output has no '\(key)'")
            }
        }
        return current
    }

    private static func render(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        guard let data = try? JSONEncoder().encode(value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    private struct Match {
        var range: Range<String.Index>
        var reference: String
    }

    private static func matches(in text: String) -> [Match] {
        var found: [Match] = []
        var searchStart = text.startIndex
        while let open = text.range(of: "{{", range: searchStart..<text.endIndex),
              let close = text.range(of: "}}", range: open.upperBound..<text.endIndex) {
            let reference = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if reference.hasPrefix("steps.") {
                found.append(Match(range: open.lowerBound..<close.upperBound, reference: reference))
            }
            searchStart = close.upperBound
        }
        return found
    }
}
