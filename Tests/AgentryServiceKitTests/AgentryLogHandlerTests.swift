import AgentryServiceKit
import Foundation
import Logging
import Testing

@Suite struct AgentryLogHandlerTests {
    @Test func writesOneJSONObjectPerLine() throws {
        let capture = LogCapture()
        let logger = capture.logger()
        logger.info("run planned", metadata: ["run.id": "0b9f3c52", "envelope": ["type": "run.planned", "version": "1"]])
        logger.debug("second line\nwith a newline and \"quotes\"")

        #expect(capture.all.count == 2)
        #expect(capture.all.allSatisfy { !$0.contains("\n") })
        let objects = try capture.objects()
        let first = objects[0]
        #expect(first["timestamp"] as? String == "2026-03-02T09:14:07.215Z")
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "director")
        #expect(first["message"] as? String == "run planned")
        #expect(first["source"] as? String == "AgentryServiceKitTests")
        #expect(first["run.id"] as? String == "0b9f3c52")
        #expect(first["envelope.type"] as? String == "run.planned")
        #expect(first["envelope.version"] as? String == "1")
        #expect(first["file"] == nil, "file and line only for error and above")
        #expect(objects[1]["message"] as? String == "second line\nwith a newline and \"quotes\"")
    }

    @Test func errorsCarryFileLineAndTheError() throws {
        struct BrokerDown: Error, CustomStringConvertible {
            var description: String { "connection refused" }
        }
        let capture = LogCapture()
        let logger = capture.logger()
        let line = #line + 1
        logger.error("publish failed", error: BrokerDown())
        let object = try #require(try capture.objects().first)
        #expect(object["level"] as? String == "error")
        #expect((object["file"] as? String)?.hasSuffix("AgentryLogHandlerTests.swift") == true)
        #expect(object["line"] as? Int == line)
        #expect(object["error.message"] as? String == "connection refused")
        #expect((object["error.type"] as? String)?.hasSuffix("BrokerDown") == true)
    }

    @Test func secretsAreRedactedByKeyAndURLPasswordsMasked() throws {
        let capture = LogCapture()
        let logger = capture.logger()
        logger.warning("retrying amqp://agentry:hunter2@mq:5672/%2F", metadata: [
            "db.password": "p4ss",
            "http": ["headers": ["authorization": "Bearer abc.def"]],
            "slack.token": "xoxb-123",
            "amqp.url": "amqp://agentry:hunter2@mq:5672/%2F",
            "model.promptTokens": "1830",
            "attempts": ["first", ["apiKey": "k-1", "host": "a"]],
        ])
        let line = try #require(capture.all.first)
        for secret in ["p4ss", "abc.def", "xoxb-123", "hunter2", "k-1"] {
            #expect(!line.contains(secret), "\(secret) leaked: \(line)")
        }
        let object = try #require(try capture.objects().first)
        #expect(object["db.password"] as? String == "[REDACTED]")
        #expect(object["http.headers.authorization"] as? String == "[REDACTED]")
        #expect(object["slack.token"] as? String == "[REDACTED]")
        #expect(object["amqp.url"] as? String == "amqp://agentry:***@mq:5672/%2F")
        #expect(object["model.promptTokens"] as? String == "1830")
        #expect(object["message"] as? String == "retrying amqp://agentry:***@mq:5672/%2F")
        let attempts = try #require(object["attempts"] as? [Any])
        #expect(attempts.first as? String == "first")
        #expect((attempts.last as? [String: String]) == ["apiKey": "[REDACTED]", "host": "a"])
    }

    @Test func metadataMergesHandlerProviderAndStatementInOrder() throws {
        let capture = LogCapture()
        let provider = Logger.MetadataProvider { ["trace.id": "from-provider", "run.id": "from-provider"] }
        var logger = capture.logger(metadataProvider: provider)
        logger[metadataKey: "service.instance"] = "director-0"
        logger[metadataKey: "run.id"] = "from-logger"
        logger.info("one")
        logger.info("two", metadata: ["run.id": "from-statement"])
        let objects = try capture.objects()
        #expect(objects[0]["service.instance"] as? String == "director-0")
        #expect(objects[0]["trace.id"] as? String == "from-provider")
        #expect(objects[0]["run.id"] as? String == "from-provider")
        #expect(objects[1]["run.id"] as? String == "from-statement")
    }

    @Test func metadataCannotOverwriteReservedFields() throws {
        let capture = LogCapture()
        capture.logger().info("real", metadata: ["message": "fake", "level": "critical"])
        let object = try #require(try capture.objects().first)
        #expect(object["message"] as? String == "real")
        #expect(object["level"] as? String == "info")
        #expect(object["metadata.message"] as? String == "fake")
        #expect(object["metadata.level"] as? String == "critical")
    }

    @Test func levelFiltersEvents() {
        let capture = LogCapture()
        let logger = capture.logger(level: .warning)
        logger.info("hidden")
        logger.warning("shown")
        #expect(capture.all.count == 1)
    }

    @Test func controlCharactersAreEscaped() throws {
        let capture = LogCapture()
        capture.logger().info("bell\u{07} tab\t nul\u{0} é 👩‍💻", metadata: ["k": "\u{1F}"])
        let object = try #require(try capture.objects().first)
        #expect(object["message"] as? String == "bell\u{07} tab\t nul\u{0} é 👩‍💻")
        #expect(object["k"] as? String == "\u{1F}")
    }

    @Test func textFormatIsOneReadableLine() {
        let capture = LogCapture()
        let logger = capture.logger(format: .text)
        logger.notice("step dispatched", metadata: ["run.id": "r1", "step.id": "fetch", "db.password": "x"])
        #expect(capture.all == [
            "2026-03-02T09:14:07.215Z notice director: step dispatched db.password=[REDACTED] run.id=r1 step.id=fetch"
                + " [AgentryServiceKitTests]",
        ])
    }
}
