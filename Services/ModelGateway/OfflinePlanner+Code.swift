import AgentryContracts

extension OfflinePlanner {
    /// The languages the code worker runs.
    enum CodeLanguage: Sendable, Equatable {
        case shell
        case python

        var tool: String { self == .python ? "python.run" : "shell.run" }
        var inputKey: String { self == .python ? "code" : "script" }
        var name: String { self == .python ? "Python" : "shell" }
    }

    /// A fenced block: ```` ```lang ... ``` ````, and the text around it.
    struct Fence: Sendable {
        /// The info string after the opening fence, lowercased (`python`, `sh`, `sql`, or empty).
        var info: String
        /// What is between the fences.
        var content: String
        /// The request without the block.
        var outside: String

        /// The first fenced block of `text`; an unclosed fence runs to the end.
        static func first(in text: String) -> Fence? {
            guard let open = text.range(of: "```") else { return nil }
            var rest = text[open.upperBound...]
            var info = ""
            let close = rest.range(of: "```")
            let body = close.map { rest[..<$0.lowerBound] } ?? rest
            if let newline = body.firstIndex(of: "\n") {
                let line = body[..<newline].trimmingWhitespace()
                if line.isEmpty || line.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "+" }) {
                    info = line.lowercased()
                    rest = rest[rest.index(after: newline)...]
                }
            }
            let content: Substring
            let after: Substring
            if let close = rest.range(of: "```") {
                content = rest[..<close.lowerBound]
                after = rest[close.upperBound...]
            } else {
                content = rest
                after = rest[rest.endIndex...]
            }
            let outside = (text[..<open.lowerBound] + " " + after).trimmingWhitespace()
            return Fence(info: info, content: Self.trimmingBlankLines(content), outside: outside)
        }

        /// `text` without blank lines at either end; indentation inside is kept.
        static func trimmingBlankLines(_ text: Substring) -> String {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
            while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
            return lines.joined(separator: "\n")
        }
    }

    static let runVerbs: Set<String> = ["run", "execute", "exec", "eval", "evaluate"]
    /// Words allowed between `run` and the `:` that starts an unfenced script.
    private static let scriptHeaderWords: Set<String> = [
        "run", "execute", "exec", "eval", "evaluate", "this", "the", "following", "a", "my", "these", "script", "code",
        "snippet", "command", "commands", "program", "shell", "bash", "sh", "python", "python3", "py", "in", "as",
    ]

    /// `run this script: …`, `run this python: …`, ``run `ls -la` ``, or a fenced block with a run verb
    /// (or alone): a high-risk code step, then deliveries of its output named outside the block.
    /// A ```` ```sql ```` block is a query instead.
    func codeSteps(_ text: RequestText, context: PlanningContext?) throws(PlannerError) -> [PlanStep]? {
        if let fence = Fence.first(in: text.text) {
            let outside = RequestText(fence.outside)
            let isSQL = ["sql", "postgres", "postgresql", "psql"].contains(fence.info)
            let asked = outside.tokens.isEmpty || outside.contains(anyOf: Self.runVerbs)
                || (isSQL && outside.contains(anyOf: ["query", "sql"]))
            guard asked else { return nil }
            let producer: Producer
            if isSQL {
                producer = try Self.queryProducer(sql: fence.content, source: nil)
            } else {
                let language = try Self.language(info: fence.info, header: outside, code: fence.content)
                producer = try Self.scriptProducer(language, code: fence.content)
            }
            return Self.steps(producer, deliveringTo: destinations(in: outside, context: context))
        }
        guard let first = text.tokens.first, Self.runVerbs.contains(first.lower) else { return nil }
        // Inline code: run `ls -la`
        if let open = text.text.firstIndex(of: "`") {
            let header = RequestText(String(text.text[..<open]))
            let rest = text.text[text.text.index(after: open)...]
            if header.words.allSatisfy(Self.scriptHeaderWords.contains), let close = rest.firstIndex(of: "`") {
                let code = rest[..<close].trimmingWhitespace()
                let outside = RequestText(String(text.text[..<open] + " " + rest[rest.index(after: close)...]))
                let language = try Self.language(info: "", header: header, code: code)
                let producer = try Self.scriptProducer(language, code: code)
                return Self.steps(producer, deliveringTo: destinations(in: outside, context: context))
            }
        }
        // run this script: <script>   (everything after the first ':' or line break is the script)
        guard let separator = text.text.firstIndex(where: { $0 == ":" || $0 == "\n" }) else { return nil }
        let header = RequestText(String(text.text[..<separator]))
        guard header.words.allSatisfy(Self.scriptHeaderWords.contains),
              header.contains(anyOf: ["script", "code", "snippet", "command", "commands", "program", "shell", "bash",
                                      "sh", "python", "python3", "py", "this", "following"])
                || header.tokens.count == 1
        else { return nil }
        // After a ':' the script starts on the same line or the next; spaces before it are not part of it.
        var rest = text.text[text.text.index(after: separator)...]
        rest = rest.drop { $0 == " " || $0 == "\t" }
        let code = Fence.trimmingBlankLines(rest)
        let language = try Self.language(info: "", header: header, code: code)
        return [try Self.scriptProducer(language, code: code).step]
    }

    /// The language of a script: the fence's info string, else a word of the request, else the
    /// script's first line (a Python shebang or import), else shell.
    static func language(info: String, header: RequestText, code: String) throws(PlannerError) -> CodeLanguage {
        switch info {
        case "python", "python3", "py", "py3": return .python
        case "sh", "bash", "shell", "zsh", "console", "shell-session": return .shell
        case "": break
        default:
            throw PlannerError(
                .unsupported, "the code worker runs Python and shell scripts; a ```\(info) block cannot run")
        }
        if header.contains(anyOf: ["python", "python3", "py"]) { return .python }
        if header.contains(anyOf: ["shell", "bash", "sh"]) { return .shell }
        let firstLine = code.split(separator: "\n").first { !$0.allSatisfy(\.isWhitespace) }?.trimmingWhitespace() ?? ""
        if firstLine.hasPrefix("#!") { return firstLine.contains("python") ? .python : .shell }
        for start in ["import ", "def ", "print(", "class "] where firstLine.hasPrefix(start) { return .python }
        if firstLine.hasPrefix("from "), firstLine.contains(" import ") { return .python }
        return .shell
    }

    /// The high-risk code step running `code`: one attempt (a script may have effects of its own).
    static func scriptProducer(_ language: CodeLanguage, code: String) throws(PlannerError) -> Producer {
        guard !code.allSatisfy(\.isWhitespace) else {
            throw PlannerError(.notUnderstood, "the \(language.name) script to run is empty")
        }
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).count
        let step = PlanStep(
            id: "script", specialist: .code, tool: language.tool, input: [language.inputKey: .string(code)],
            risk: .high, limits: StepLimits(timeoutSeconds: 120, maxAttempts: 1),
            description: "Run a \(language.name) script (\(lines) line\(lines == 1 ? "" : "s")); waits for approval")
        return Producer(
            step: step, title: "Output of the \(language.name) script",
            result: Producer.reference("script", "stdout"), layout: .block)
    }
}
