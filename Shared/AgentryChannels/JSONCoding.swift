import AgentryContracts
import Foundation

/// JSON bodies of outbound requests.
enum JSONCoding {
    static func encode(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
