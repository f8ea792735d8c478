extension RequestText {
    /// The web address in token `index`, if it holds one (`https://…`, `http://…` or a local
    /// `file:///…` page, also inside
    /// `<…>`, `(…)` or Slack's `<url|label>`), without trailing punctuation.
    func url(at index: Int) -> String? {
        Self.url(in: tokens[index].raw)
    }

    /// The index and value of the first token holding a web address.
    func firstURL() -> (index: Int, url: String)? {
        for index in tokens.indices {
            if let url = url(at: index) { return (index, url) }
        }
        return nil
    }

    /// The email address in token `index` (`a@b.c`, `<a@b.c>`, `mailto:a@b.c`), if any.
    func emailAddress(at index: Int) -> String? {
        var core = tokens[index].core
        if core.lowercased().hasPrefix("mailto:") { core = core.dropFirst("mailto:".count) }
        if let bar = core.firstIndex(of: "|") { core = core[..<bar] }
        return Self.isEmailAddress(core) ? String(core) : nil
    }

    /// The Slack channel in token `index`: `#name` (lowercased), or the channel id of Slack's
    /// `<#C0123|name>` markup.
    func slackChannel(at index: Int) -> String? {
        let raw = tokens[index].raw
        if let open = raw.range(of: "<#") {
            let rest = raw[open.upperBound...]
            let id = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
            return id.count >= 2 && id.first?.isUppercase == true ? String(id) : nil
        }
        var core = tokens[index].core
        guard core.first == "#" else { return nil }
        core = core.dropFirst()
        // Channel names: lowercase letters, digits, '-', '_' and '.', at most 80 characters.
        while let last = core.last, last == "." || last == "-" { core = core.dropLast() }
        let name = core.lowercased()
        guard (1...80).contains(name.count), let first = name.first, first.isASCII, first.isLetter || first.isNumber,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else { return nil }
        return "#" + name
    }

    /// The Jira issue key in token `index` (`OPS-123`: an uppercase project key, `-`, a number).
    func issueKey(at index: Int) -> String? {
        let core = tokens[index].core
        guard let dash = core.firstIndex(of: "-") else { return nil }
        let project = core[..<dash]
        let number = core[core.index(after: dash)...]
        guard (1...20).contains(project.count), let first = project.first, first.isASCII, first.isUppercase,
              project.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }),
              (1...10).contains(number.count), number.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return String(core)
    }

    static func url(in raw: Substring) -> String? {
        if let file = fileURL(in: raw) { return file }
        guard let start = raw.range(of: "http", options: [.caseInsensitive]) else { return nil }
        var candidate = raw[start.lowerBound...]
        let lower = candidate.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        if let end = candidate.firstIndex(where: { $0 == "|" || $0 == ">" || $0 == "\"" || $0 == "'" || $0 == "`" }) {
            candidate = candidate[..<end]
        }
        let trailing: Set<Character> = [".", ",", ";", ":", "!", "?", ")", "]", "}", "*", "_"]
        while let last = candidate.last, trailing.contains(last) {
            // Keep a closing parenthesis that balances one inside the address.
            if last == ")", candidate.filter({ $0 == "(" }).count >= candidate.filter({ $0 == ")" }).count { break }
            candidate = candidate.dropLast()
        }
        let schemeLength = candidate.lowercased().hasPrefix("https://") ? 8 : 7
        let host = candidate.dropFirst(schemeLength).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard host.contains(where: { $0.isLetter || $0.isNumber }), candidate.count <= 2_048 else { return nil }
        return String(candidate)
    }

    /// A local page, `file:///absolute/path` (the browser worker opens those too), without
    /// trailing punctuation.
    static func fileURL(in raw: Substring) -> String? {
        guard let start = raw.range(of: "file:///", options: [.caseInsensitive]) else { return nil }
        var candidate = raw[start.lowerBound...]
        if let end = candidate.firstIndex(where: { $0 == "|" || $0 == ">" || $0 == "\"" || $0 == "'" || $0 == "`" }) {
            candidate = candidate[..<end]
        }
        while let last = candidate.last, [".", ",", ";", ":", "!", "?", ")", "]", "}"].contains(last) {
            candidate = candidate.dropLast()
        }
        guard candidate.count > "file:///".count, candidate.count <= 2_048 else { return nil }
        return String(candidate)
    }

    static func isEmailAddress(_ text: Substring) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, text.count <= 254 else { return false }
        let local = parts[0]
        let domain = parts[1]
        let localCharacters = Set("!#$%&'*+-/=?^_`{|}~.")
        guard (1...64).contains(local.count), local.first != ".", local.last != ".",
              local.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || localCharacters.contains($0)) })
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2, tld.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
