import AgentryContracts
import AgentryChannels
import Foundation

/// Renders JSON values (run outputs, step inputs) as text for people.
enum OutputRendering {
    /// `value` as text, and whether it should be shown preformatted.
    ///
    /// A string stays as it is; an object with a `text` member (a `sql.query` table, a page's text)
    /// or a `stdout` member (a script's output) shows that member; a comm step's output says where
    /// its message went; anything else is pretty JSON.
    static func render(_ value: JSONValue, limit: Int) -> (text: String, preformatted: Bool) {
        switch value {
        case .string(let text):
            return (TextLimit.truncate(text, to: limit), text.contains("\n"))
        case .object(let members):
            if let text = members["text"]?.stringValue, !text.isEmpty { return (TextLimit.truncate(text, to: limit), true) }
            if let stdout = members["stdout"]?.stringValue, !stdout.isEmpty {
                return (TextLimit.truncate(stdout, to: limit), true)
            }
            if let channel = members["channel"]?.stringValue, let status = members["status"]?.stringValue,
               let target = members["target"]?.stringValue {
                return (TextLimit.truncate("\(channel) message \(status) to \(target)", to: limit), false)
            }
            return (TextLimit.truncate(json(value), to: limit), true)
        case .null:
            return ("(nothing)", false)
        case .bool, .number:
            return (json(value), false)
        case .array:
            return (TextLimit.truncate(json(value), to: limit), true)
        }
    }

    /// Pretty JSON with sorted keys.
    static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
