import Foundation

/// What `agentry up` started, kept in `services.json` for `status`, `down` and `demo`.
struct LocalRunState: Codable, Sendable, Equatable {
    /// The ingest API.
    var apiURL: String
    /// The first operations port (`ServiceCatalog`).
    var opsPortBase: Int
    /// The broker and database the services use.
    var amqpURL: String
    var databaseURL: String

    /// The operations port of `service`.
    func opsPort(_ service: ServiceDefinition) -> Int { opsPortBase + service.portOffset }

    static func load(_ path: String) -> LocalRunState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(LocalRunState.self, from: data)
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard FileManager.default.createFile(
            atPath: path, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(path)") }
    }
}
