import Foundation
import Testing

@testable import AgentryCLI
@testable import AgentryIngest

/// The email `agentry demo` posts is one the inbound-email gateway reads as a person's request.
@Suite struct DemoEmailTests {
    @Test func theDemoEmailDecodesToItsSenderThreadIdAndRequest() throws {
        let request = "Summarise this week's incidents — with the open ones first."
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        let raw = DemoCommand.email(asking: request, messageId: "<demo-1@example.com>", at: date)
        let text = String(decoding: raw, as: UTF8.self)
        #expect(raw.allSatisfy { $0 < 0x80 })
        #expect(text.contains("\r\n\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))

        let email = try MIMEParser.parse(Array(raw))
        #expect(email.messageId == "<demo-1@example.com>")
        #expect(email.from?.address == "dana@example.com")
        #expect(email.from?.name == "Dana Müller")
        #expect(email.to.map(\.address) == ["agentry@localhost"])
        #expect(email.subject == "Weekly report, please")
        #expect(email.date == date)
        #expect(!email.isAutomatic)
        #expect(email.text == "Hi Agentry,\n\n\(request)\n\nDanke schön,\nDana")
    }
}
