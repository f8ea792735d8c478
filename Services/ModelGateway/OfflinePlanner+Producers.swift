import AgentryContracts

extension OfflinePlanner {
    /// The CSS selector for a product's price: schema.org's `itemprop=price` (when it is an element
    /// with text rather than a `<meta>`) or the common `.price` class.
    static let priceSelector = "[itemprop=price]:not(meta), .price"

    /// Words that ask to read a page when they come before its address.
    private static let browseVerbs: Set<String> = [
        "open", "visit", "browse", "read", "fetch", "load", "get", "check", "scrape", "extract", "summarise", "summarize",
        "show", "see", "look", "go", "what", "what's", "whats", "title", "text", "content", "contents", "tell",
    ]
    /// Words that ask for a price.
    private static let priceWords: Set<String> = ["price", "prices", "pricing", "cost", "costs"]

    /// The step that fetches what the request is about: a price or a page at an address, or
    /// incidents from the demo data source.
    func producer(for text: RequestText) -> Producer? {
        if let (index, url) = text.firstURL() {
            if text.contains(anyOf: Self.priceWords) || text.contains(phrase: "how much") {
                return Self.priceProducer(url: url)
            }
            let before = text.tokens[..<index].map(\.lower)
            if before.isEmpty || before.contains(where: Self.browseVerbs.contains) {
                return Self.pageProducer(url: url, selector: Self.selector(in: text))
            }
        }
        return IncidentQuery(text)?.producer
    }

    static func priceProducer(url: String) -> Producer {
        let step = PlanStep(
            id: "price", specialist: .browser, tool: "browser.open",
            input: ["url": .string(url), "selector": .string(priceSelector)], risk: .low,
            limits: StepLimits(timeoutSeconds: 90, maxAttempts: 2), description: "Read the price on \(url)")
        return Producer(step: step, title: "Price on \(url)", result: Producer.reference("price", "text"), layout: .inline)
    }

    static func pageProducer(url: String, selector: String?) -> Producer {
        var input: [String: JSONValue] = ["url": .string(url)]
        if let selector { input["selector"] = .string(selector) }
        let step = PlanStep(
            id: "page", specialist: .browser, tool: "browser.open", input: .object(input), risk: .low,
            limits: StepLimits(timeoutSeconds: 90, maxAttempts: 2),
            description: selector.map { "Read \($0) on \(url)" } ?? "Open \(url) and read its text")
        let result = selector == nil
            ? Producer.reference("page", "title") + "\n" + Producer.reference("page", "text")
            : Producer.reference("page", "text")
        return Producer(step: step, title: "Text of \(url)", result: result, layout: .block)
    }

    /// The CSS selector named after `selector` or `element` (``open https://… selector h1``).
    static func selector(in text: RequestText) -> String? {
        for index in text.tokens.indices.dropLast() where ["selector", "element", "css"].contains(text.tokens[index].lower) {
            let quotes: Set<Character> = ["\"", "'", "`", "“", "”", ","]
            var selector = text.tokens[index + 1].raw
            while let first = selector.first, quotes.contains(first) { selector = selector.dropFirst() }
            while let last = selector.last, quotes.contains(last) { selector = selector.dropLast() }
            if !selector.isEmpty, selector.count <= 200, !selector.lowercased().hasPrefix("http") { return String(selector) }
        }
        return nil
    }

    /// Words that ask for the result to be delivered somewhere.
    static let deliveryVerbs: Set<String> = [
        "post", "send", "share", "email", "mail", "forward", "tell", "notify", "put", "drop", "publish", "message",
        "comment", "reply", "respond", "dm", "ping", "write", "deliver",
    ]

    /// Where the request asks the result to go: `#channels` (Slack), email addresses, issue keys
    /// after `on`/`to` (Jira comments), and `here` / `this thread` / `this channel` (the source of
    /// the request, from the context). Only when a delivery verb is present; at most five, in order;
    /// several email addresses make one email to all of them.
    func destinations(in text: RequestText, context: PlanningContext?) -> [Destination] {
        guard text.contains(anyOf: Self.deliveryVerbs) else { return [] }
        var found: [Destination] = []
        func add(_ destination: Destination) {
            if !found.contains(destination), found.count < 5 { found.append(destination) }
        }
        let tokens = text.tokens
        for index in tokens.indices {
            if let channel = text.slackChannel(at: index) {
                add(.slack(channel: channel, threadTs: Self.thread(for: channel, context: context)))
            } else if let address = text.emailAddress(at: index) {
                add(.email(to: address, subject: nil))
            } else if let issue = text.issueKey(at: index), index > 0,
                      ["on", "to", "in", "onto", "under"].contains(tokens[index - 1].lower)
            {
                add(.jira(issue: issue))
            } else if let source = context?.replyDestination, Self.meansSource(tokens, at: index) {
                add(source)
            }
        }
        if found.isEmpty, text.contains(anyOf: ["reply", "respond"]), let source = context?.replyDestination {
            add(source)
        }
        return Self.mergingEmails(found)
    }

    /// Several email addresses become one email to all of them (one message, one approval).
    private static func mergingEmails(_ destinations: [Destination]) -> [Destination] {
        let addresses = destinations.compactMap { destination -> String? in
            if case .email(let address, nil) = destination { return address }
            return nil
        }
        guard addresses.count > 1 else { return destinations }
        var merged = false
        return destinations.compactMap { destination in
            guard case .email(_, nil) = destination else { return destination }
            defer { merged = true }
            return merged ? nil : .email(to: addresses.joined(separator: ", "), subject: nil)
        }
    }

    /// `here`, `this thread`, `this channel`, `the thread`: the source of the request.
    private static func meansSource(_ tokens: [RequestText.Token], at index: Int) -> Bool {
        let word = tokens[index].lower
        if word == "here" { return true }
        guard word == "thread" || word == "channel", index > 0 else { return false }
        return ["this", "the", "same"].contains(tokens[index - 1].lower)
    }

    /// The thread to reply in when `channel` is the channel the request came from.
    private static func thread(for channel: String, context: PlanningContext?) -> String? {
        guard context?.source == .slack, let reference = context?.sourceReference,
              reference.slackChannel == channel
        else { return nil }
        return reference.slackThreadTs
    }
}
