import AgentryContracts

extension OfflinePlanner {
    /// A message written in the request, to deliver as it is.
    struct LiteralMessage: Sendable, Equatable {
        var destination: Destination
        var body: String

        /// The email subject: the message's first line, shortened to about 78 characters.
        var subject: String {
            let line = body.split(separator: "\n").first.map(String.init)?.trimmingWhitespace() ?? ""
            guard line.count > 78 else { return line.isEmpty ? "Message from Agentry" : line }
            let cut = line.prefix(75)
            let word = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
            return word.trimmingWhitespace() + "..."
        }

        /// The single communication step.
        var steps: [PlanStep] { [destination].steps(subject: subject, body: body, dependsOn: []) }
    }

    /// Verbs that introduce a message.
    private static let messageVerbs: Set<String> = [
        "post", "send", "say", "write", "share", "message", "announce", "publish", "tell", "email", "mail", "comment",
        "add", "reply", "leave",
    ]
    /// Words that may sit between the verb and the destination (`send an email to`, `add a comment on`).
    private static let fillers: Set<String> = [
        "a", "an", "the", "new", "email", "mail", "message", "comment", "note", "to", "in", "on", "into", "onto",
    ]
    private static let prepositions: Set<String> = ["to", "in", "on", "into", "onto"]
    private static let sayingWords: Set<String> = ["saying", "that", "with"]

    /// A message whose destination comes first and is followed by `:` or `saying`
    /// (`post to #ops: …`, `comment on OPS-12: …`, `email a@b.c: …`, `tell #ops …`), or a quoted
    /// message (`post "…" to #ops`). Checked before producers, so the text is taken as written.
    func explicitMessage(_ text: RequestText, context: PlanningContext?) -> LiteralMessage? {
        let tokens = text.tokens
        guard tokens.count >= 2, Self.messageVerbs.contains(tokens[0].lower) else { return nil }
        if let quoted = Self.quotedMessage(text) { return quoted }
        guard let (index, destination) = Self.leadingDestination(text) else { return nil }
        let raw = tokens[index].raw
        let separated = raw.hasSuffix(":") || raw.hasSuffix(",")
            || (index + 1 < tokens.count && Self.sayingWords.contains(tokens[index + 1].lower))
        guard separated || tokens[0].lower == "tell" else { return nil }
        return Self.message(to: destination, body: Self.body(text, after: index))
    }

    /// `post <text> to #ops`, `email <text> to a@b.c`, `comment on OPS-12 <text>`, `email a@b.c <text>`,
    /// and, when the request came from Slack or Jira, `say <text>` (a reply to the source).
    func looseMessage(_ text: RequestText, context: PlanningContext?) -> LiteralMessage? {
        let tokens = text.tokens
        guard tokens.count >= 2, Self.messageVerbs.contains(tokens[0].lower) else { return nil }
        if let (index, destination) = Self.leadingDestination(text) {
            return Self.message(to: destination, body: Self.body(text, after: index))
        }
        let last = tokens.count - 1
        if tokens.count >= 4, Self.prepositions.contains(tokens[last - 1].lower),
           let destination = Self.destination(text, at: last)
        {
            var start = 1
            while start < last - 1, ["a", "an", "the"].contains(tokens[start].lower)
                || (start <= 2 && ["email", "mail", "message", "comment", "note"].contains(tokens[start].lower))
                || Self.sayingWords.contains(tokens[start].lower)
            {
                start += 1
            }
            return Self.message(to: destination, body: text.text(betweenToken: start - 1, and: last - 1))
        }
        if ["say", "reply", "respond", "post", "write"].contains(tokens[0].lower),
           let source = context?.replyDestination, source.stepIdBase != "email"
        {
            return Self.message(to: source, body: Self.body(text, after: 0))
        }
        return nil
    }

    /// `verb "text" to|in|on <destination>`: the text inside the double quotes, exactly.
    private static func quotedMessage(_ text: RequestText) -> LiteralMessage? {
        let tokens = text.tokens
        guard tokens.count >= 4, let open = tokens[1].raw.first, open == "\"" || open == "“" else { return nil }
        let close: Character = open == "“" ? "”" : "\""
        let afterOpen = text.text.index(after: tokens[1].range.lowerBound)
        guard let end = text.text[afterOpen...].lastIndex(of: close) else { return nil }
        let rest = RequestText(String(text.text[text.text.index(after: end)...]))
        guard rest.tokens.count == 2, prepositions.contains(rest.tokens[0].lower),
              let destination = destination(rest, at: 1)
        else { return nil }
        return message(to: destination, body: String(text.text[afterOpen..<end]))
    }

    /// The destination right after the verb and its fillers (`post to #ops`, `add a comment on OPS-1`).
    private static func leadingDestination(_ text: RequestText) -> (Int, Destination)? {
        var index = 1
        while index < text.tokens.count, index <= 5 {
            if let destination = destination(text, at: index) {
                // An issue key counts only after a preposition, so `post OPS-1 is fixed …` stays text.
                if case .jira = destination, !prepositions.contains(text.tokens[index - 1].lower) { return nil }
                return (index, destination)
            }
            guard fillers.contains(text.tokens[index].lower) else { return nil }
            index += 1
        }
        return nil
    }

    private static func destination(_ text: RequestText, at index: Int) -> Destination? {
        if let channel = text.slackChannel(at: index) { return .slack(channel: channel, threadTs: nil) }
        if let address = text.emailAddress(at: index) { return .email(to: address, subject: nil) }
        if let issue = text.issueKey(at: index) { return .jira(issue: issue) }
        return nil
    }

    /// The text after token `index`, without a leading `:`, `-`, `saying` or `that`.
    private static func body(_ text: RequestText, after index: Int) -> String {
        var start = index + 1
        if start < text.tokens.count, sayingWords.contains(text.tokens[start].lower) { start += 1 }
        var body = text.text(fromToken: start)
        while let first = body.first, [":", "-", "—", ","].contains(first) || first.isWhitespace {
            body = body.dropFirst()
        }
        return body.trimmingWhitespace()
    }

    private static func message(to destination: Destination, body: String) -> LiteralMessage? {
        body.isEmpty ? nil : LiteralMessage(destination: destination, body: body)
    }
}
