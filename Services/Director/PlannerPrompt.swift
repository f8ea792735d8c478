import AgentryContracts

/// What the director tells the planner model: the specialists, their tools and the plan schema.
enum PlannerPrompt {
    static let system = """
        You plan work for Agentry. Answer with one JSON object {"steps": [...]} and nothing else.
        Each step: {"id": short-kebab-id, "specialist": "code"|"data"|"comm"|"browser", "tool": name,
        "input": object, "dependsOn": [step ids], "risk": "low"|"medium"|"high",
        "limits": {"timeoutSeconds": n, "maxAttempts": n}, "description": one line}.
        Tools: code shell.run {script, stdin?} and python.run {code, stdin?};
        data sql.query {sql, source?} (read-only; output has columns, rows, rowCount, text);
        comm slack.post {channel, text, threadTs?}, email.send {to, subject, body}, jira.comment {issue, body};
        browser browser.open {url, selector?} (output has url, title, text).
        A later step uses an earlier output as {{steps.<id>.output.<field>}}.
        Mark steps that run code or send email outside the team as "high" risk: a person approves them.
        """

    /// The JSON schema of a plan, sent as the structured-output format.
    static let schema: JSONValue = [
        "type": "object",
        "required": ["steps"],
        "properties": [
            "steps": [
                "type": "array",
                "minItems": 1,
                "items": [
                    "type": "object",
                    "required": ["id", "specialist", "tool", "input"],
                    "properties": [
                        "id": ["type": "string"],
                        "specialist": ["type": "string", "enum": ["code", "data", "comm", "browser"]],
                        "tool": ["type": "string"],
                        "input": ["type": "object"],
                        "dependsOn": ["type": "array", "items": ["type": "string"]],
                        "risk": ["type": "string", "enum": ["low", "medium", "high"]],
                        "limits": ["type": "object"],
                        "description": ["type": "string"],
                    ],
                ],
            ],
        ],
    ]

    /// `text` with every run of white space (line breaks included) made one space, cut to `limit`
    /// characters with `…` when longer: how earlier requests of a thread are quoted.
    static func oneLine(_ text: String, limit: Int) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > limit ? String(words.prefix(limit - 1)) + "…" : words
    }
}
