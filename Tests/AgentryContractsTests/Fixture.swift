import AgentryContracts
import Foundation
import Testing

/// Loads the golden fixtures copied into the test bundle.
enum Fixture {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "fixture Fixtures/\(name).json is not in the test bundle" }
    }

    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw Missing(name: name)
        }
        return try Data(contentsOf: url)
    }

    /// Every `.json` file name (without extension) in the bundle's `Fixtures` folder.
    static func allNames() throws -> [String] {
        let folder = try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Parses JSON into a value that compares structurally (key order and whitespace do not matter).
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }
}
