import AgentryServiceKit
import Testing

@Suite struct RedactionTests {
    @Test(arguments: [
        ("amqp://guest:guest@127.0.0.1:5672/%2F", "amqp://guest:***@127.0.0.1:5672/%2F"),
        ("postgres://agentry:p%40ss@db:5432/agentry?sslmode=require", "postgres://agentry:***@db:5432/agentry?sslmode=require"),
        ("postgres://agentry@db/agentry", "postgres://agentry@db/agentry"),
        ("amqp://localhost:5672/%2F", "amqp://localhost:5672/%2F"),
        ("https://example.com/a@b:c", "https://example.com/a@b:c"),
        ("not a url", "not a url"),
    ])
    func urlPasswordsAreMasked(input: String, expected: String) {
        #expect(Redaction.url(input) == expected)
    }

    @Test func urlsInsideTextAreMasked() {
        #expect(Redaction.urls(in: "connect to amqp://u:pw@mq:5672/%2F failed") == "connect to amqp://u:***@mq:5672/%2F failed")
    }

    @Test(arguments: [
        ("password", true), ("db.password", true), ("clientSecret", true), ("http.headers.authorization", true),
        ("slack.bot_token", true), ("accessToken", true), ("token", true), ("x-api-key", true), ("Cookie", true),
        ("run.id", false), ("envelope.type", false), ("model.promptTokens", false), ("tokens.completion", false),
        ("author", false),
    ])
    func sensitiveKeys(key: String, sensitive: Bool) {
        #expect(Redaction.isSensitive(key: key) == sensitive)
    }
}
