import AgentryServiceKit
import AgentryStore
import Foundation

/// A named PostgreSQL data source that `sql.query` may read.
struct DataSourceDefinition: Sendable {
    /// The name steps use in `input.source`, lower-case.
    let name: String
    /// How to reach it (the password is never printed).
    let configuration: PostgresConfiguration
    /// The variable the URL came from, for messages.
    let origin: String
}

extension DataSourceDefinition {
    /// The name of the per-source URL variable, e.g. `AGENTRY_DATA_SOURCE_ANALYTICS_URL` for `analytics`
    /// (letters upper-cased, anything else but digits becomes `_`).
    static func urlVariable(for name: String) -> String {
        let upper = name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? String($0) : "_" }.joined()
        return "AGENTRY_DATA_SOURCE_\(upper)_URL"
    }

    /// True for a valid source name: a letter or digit, then letters, digits, `_` or `-`.
    static func isValidName(_ name: some StringProtocol) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// Reads the data sources from the environment.
    ///
    /// `AGENTRY_DATA_SOURCES` lists them, comma-separated, as `name=postgres://...` or as a bare
    /// `name` whose URL is in `AGENTRY_DATA_SOURCE_<NAME>_URL` (or its `_FILE`, a mounted secret).
    /// A comma inside a URL is kept when what follows it does not start a new entry (`name=` and a
    /// `postgres://` or `postgresql://` URL, or a bare name). Without `AGENTRY_DATA_SOURCES`, every
    /// `AGENTRY_DATA_SOURCE_<NAME>_URL` (or `_URL_FILE`) variable declares the source `<name>`.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable at fault, never quoting a URL.
    static func parse(environment: [String: String]) throws(ConfigurationError) -> [DataSourceDefinition] {
        let reader = ConfigurationReader(environment: environment)
        let listKey = "AGENTRY_DATA_SOURCES"
        var entries: [(name: String, url: String?)] = []
        if let list = try reader.string(listKey) {
            entries = try splitList(list)
        } else {
            let prefix = "AGENTRY_DATA_SOURCE_"
            for key in environment.keys.sorted() where key.hasPrefix(prefix) && !(environment[key] ?? "").isEmpty {
                for suffix in ["_URL", "_URL_FILE"]
                where key.hasSuffix(suffix) && key.count > prefix.count + suffix.count {
                    let name = String(key.dropFirst(prefix.count).dropLast(suffix.count)).lowercased()
                    if !entries.contains(where: { $0.name == name }) { entries.append((name, nil)) }
                }
            }
        }
        var definitions: [DataSourceDefinition] = []
        for entry in entries {
            guard isValidName(entry.name) else {
                throw ConfigurationError(
                    .invalidValue, key: listKey,
                    reason: "\"\(entry.name)\" is not a valid source name (letters, digits, '_' and '-')")
            }
            let name = entry.name.lowercased()
            guard !definitions.contains(where: { $0.name == name }) else {
                throw ConfigurationError(.invalidValue, key: listKey, reason: "the source \"\(name)\" is listed twice")
            }
            let variable = urlVariable(for: name)
            let fromVariable = try reader.string(variable)
            let url: String
            let origin: String
            switch (entry.url, fromVariable) {
            case (let listed?, nil):
                (url, origin) = (listed, listKey)
            case (nil, let separate?):
                (url, origin) = (separate, variable)
            case (nil, nil):
                throw ConfigurationError(
                    .invalidValue, key: variable, reason: "the data source \"\(name)\" has no URL: set \(variable)")
            case (.some, .some):
                throw ConfigurationError(
                    .conflictingSources, key: variable,
                    reason: "the URL of \"\(name)\" is given both in \(listKey) and in \(variable)")
            }
            do {
                let configuration = try PostgresConfiguration(url: url)
                definitions.append(DataSourceDefinition(name: name, configuration: configuration, origin: origin))
            } catch {
                throw ConfigurationError(
                    .invalidValue, key: origin,
                    reason: "the URL of the data source \"\(name)\" is not a valid PostgreSQL URL")
            }
        }
        return definitions
    }

    /// Splits `AGENTRY_DATA_SOURCES` into entries, gluing back commas that belong to a URL.
    static func splitList(_ list: String) throws(ConfigurationError) -> [(name: String, url: String?)] {
        var entries: [(name: String, url: String?)] = []
        for piece in list.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            if let equals = trimmed.firstIndex(of: "=") {
                let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
                let url = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if isValidName(name), url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                    entries.append((name, url))
                    continue
                }
            } else if isValidName(trimmed) {
                entries.append((trimmed, nil))
                continue
            } else if trimmed.isEmpty {
                continue  // a stray or trailing comma
            }
            guard let last = entries.last, let url = last.url else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_DATA_SOURCES",
                    reason: "expected name=postgres://... or a source name, comma-separated")
            }
            entries[entries.count - 1] = (last.name, url + "," + piece)
        }
        return entries
    }
}
