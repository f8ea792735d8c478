import AgentryContracts
import Foundation
import Logging

/// Turns a log event into one line of JSON or text.
struct LogLineRenderer: Sendable {
    /// Top-level JSON fields that metadata may not overwrite; clashing metadata keys get a `metadata.` prefix.
    static let reservedKeys: Set<String> = ["timestamp", "level", "label", "message", "source", "file", "line"]

    let label: String
    let format: LogFormat

    func render(
        timestamp: Date,
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        source: String,
        file: String,
        line: UInt
    ) -> String {
        let fields = Self.flatten(metadata)
        let location = level >= .error ? (file: file, line: line) : nil
        let message = Redaction.urls(in: message)
        switch format {
        case .json:
            var out = "{\"timestamp\":" + Self.quoted(RFC3339.string(from: timestamp))
            out += ",\"level\":" + Self.quoted(level.rawValue)
            out += ",\"label\":" + Self.quoted(label)
            out += ",\"message\":" + Self.quoted(message)
            out += ",\"source\":" + Self.quoted(source)
            if let location {
                out += ",\"file\":" + Self.quoted(location.file) + ",\"line\":" + String(location.line)
            }
            for (key, value) in fields {
                let name = Self.reservedKeys.contains(key) ? "metadata." + key : key
                out += "," + Self.quoted(name) + ":" + Self.json(value)
            }
            return out + "}"
        case .text:
            var out = RFC3339.string(from: timestamp) + " " + level.rawValue + " " + label + ": " + message
            for (key, value) in fields {
                out += " " + key + "=" + Self.text(value)
            }
            out += " [" + source + "]"
            if let location { out += " (" + location.file + ":" + String(location.line) + ")" }
            return out
        }
    }

    /// A metadata value after flattening: dictionaries become dot keys, arrays stay arrays.
    enum Field: Equatable {
        case string(String)
        case array([Field])
        case object([(String, Field)])

        static func == (lhs: Field, rhs: Field) -> Bool {
            switch (lhs, rhs) {
            case (.string(let a), .string(let b)): a == b
            case (.array(let a), .array(let b)): a == b
            case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
            default: false
            }
        }
    }

    /// Flattens nested dictionaries into dot keys (`run` → `id` becomes `run.id`), sorted by key,
    /// redacting secrets by key and passwords in URLs.
    static func flatten(_ metadata: Logger.Metadata) -> [(String, Field)] {
        var fields: [(String, Field)] = []
        func add(_ key: String, _ value: Logger.MetadataValue) {
            if Redaction.isSensitive(key: key) {
                fields.append((key, .string(Redaction.placeholder)))
                return
            }
            switch value {
            case .dictionary(let dictionary):
                for (child, childValue) in dictionary { add(key + "." + child, childValue) }
            default:
                fields.append((key, field(value)))
            }
        }
        for (key, value) in metadata { add(key, value) }
        return fields.sorted { $0.0 < $1.0 }
    }

    /// A value inside an array: dictionaries stay objects (with sensitive keys redacted).
    private static func field(_ value: Logger.MetadataValue) -> Field {
        switch value {
        case .string(let text):
            return .string(Redaction.urls(in: text))
        case .stringConvertible(let convertible):
            return .string(Redaction.urls(in: convertible.description))
        case .array(let elements):
            return .array(elements.map(field))
        case .dictionary(let dictionary):
            return .object(dictionary.sorted { $0.key < $1.key }.map { key, value in
                (key, Redaction.isSensitive(key: key) ? .string(Redaction.placeholder) : field(value))
            })
        }
    }

    private static func json(_ field: Field) -> String {
        switch field {
        case .string(let text): quoted(text)
        case .array(let elements): "[" + elements.map(json).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { quoted($0.0) + ":" + json($0.1) }.joined(separator: ",") + "}"
        }
    }

    private static func text(_ field: Field) -> String {
        switch field {
        case .string(let text): text.contains(" ") || text.isEmpty ? quoted(text) : text
        case .array(let elements): "[" + elements.map(text).joined(separator: ", ") + "]"
        case .object(let members): "[" + members.map { $0.0 + ": " + text($0.1) }.joined(separator: ", ") + "]"
        }
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
