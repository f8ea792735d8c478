import Foundation

/// `scripts/stack`: the local RabbitMQ node and PostgreSQL cluster.
struct StackScript: Sendable {
    let path: String
    var environment: [String: String] = ProcessInfo.processInfo.environment

    /// `scripts/stack up`: installs what is missing and starts both (output passes through).
    func up() async throws { try await run("up") }

    /// `scripts/stack down`.
    func down() async throws { try await run("down") }

    /// `scripts/stack status`: its report, and whether both are running.
    func status() async throws -> (running: Bool, report: String) {
        let result = try await Subprocess.run(["/bin/bash", path, "status"], environment: environment, captureOutput: true)
        return (result.status == 0, result.output)
    }

    /// The broker and database URLs, from `scripts/stack env`.
    func urls() async throws -> (amqp: String, database: String) {
        let result = try await Subprocess.run(["/bin/bash", path, "env"], environment: environment, captureOutput: true)
        guard result.status == 0 else { throw CLIError("\(path) env exited \(result.status)") }
        let variables = Self.parseExports(result.output)
        guard let amqp = variables["AGENTRY_AMQP_URL"], let database = variables["AGENTRY_DATABASE_URL"] else {
            throw CLIError("\(path) env did not print AGENTRY_AMQP_URL and AGENTRY_DATABASE_URL")
        }
        return (amqp, database)
    }

    private func run(_ command: String) async throws {
        let result = try await Subprocess.run(["/bin/bash", path, command], environment: environment)
        guard result.status == 0 else { throw CLIError("\(path) \(command) exited \(result.status)") }
    }

    /// `export NAME=value` lines (values as bash's `printf %q` writes them) as a dictionary.
    static func parseExports(_ text: String) -> [String: String] {
        var variables: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            var statement = line.trimmingCharacters(in: .whitespaces)
            guard statement.hasPrefix("export ") else { continue }
            statement.removeFirst("export ".count)
            guard let equals = statement.firstIndex(of: "=") else { continue }
            let name = String(statement[..<equals])
            variables[name] = unquote(String(statement[statement.index(after: equals)...]))
        }
        return variables
    }

    /// Undoes shell quoting: single quotes, double quotes and backslash escapes.
    static func unquote(_ word: String) -> String {
        var result = ""
        var iterator = word.makeIterator()
        var quote: Character?
        while let character = iterator.next() {
            switch (quote, character) {
            case (nil, "'"), (nil, "\""): quote = character
            case ("'", "'"), ("\"", "\""): quote = nil
            case (nil, "\\"), ("\"", "\\"):
                if let next = iterator.next() { result.append(next) }
            default: result.append(character)
            }
        }
        return result
    }
}
