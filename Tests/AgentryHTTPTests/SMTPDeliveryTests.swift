@testable import AgentryHTTP
import AgentryTestSupport
import Foundation
import Testing

extension LiveHTTPTests {
    @Suite struct SMTPDeliveryTests {
        @Test func deliversAMessageWithNonASCIISubjectAndBody() async throws {
            let sink = try await SMTPSink.start()
            do {
                try await withClient { client in
                    let subject = "Freigabe nötig: Lauf 42 — ✅ bereit"
                    let body = "Hallo Jürgen,\n\nder Lauf wartet auf dich.\n.Zeile mit Punkt\nGrüße 👋"
                    let message = MailMessage(
                        from: MailAddress("agentry@example.com", name: "Agentry Bot"),
                        to: [MailAddress("juergen@example.com", name: "Jürgen Müller")],
                        cc: ["team@example.com"],
                        bcc: ["audit@example.com"],
                        subject: subject,
                        textBody: body,
                        htmlBody: "<p>Hallo Jürgen, der Lauf wartet.</p>",
                        inReplyTo: "<thread-1@example.com>",
                        references: ["<thread-1@example.com>"]
                    )
                    let smtp = SMTPConfiguration(
                        url: "smtp://127.0.0.1:\(sink.port)", startTLS: .disabled,
                        username: "agentry", password: "s3cret"
                    )
                    let messageID = try await client.sendMail(message, via: smtp)
                    #expect(messageID.hasPrefix("<") && messageID.hasSuffix("@example.com>"))

                    let delivery = try #require(try sink.deliveries().first)
                    #expect(delivery.mailFrom == "agentry@example.com")
                    #expect(delivery.rcptTos == ["juergen@example.com", "team@example.com", "audit@example.com"])
                    #expect(delivery.login == "agentry")
                    #expect(delivery.headers["Subject"] == subject)
                    #expect(delivery.headers["From"] == "Agentry Bot <agentry@example.com>")
                    #expect(delivery.headers["To"] == "Jürgen Müller <juergen@example.com>")
                    #expect(delivery.headers["Cc"] == "team@example.com")
                    #expect(delivery.headers["Bcc"] == nil)
                    #expect(delivery.headers["Message-ID"] == messageID)
                    #expect(delivery.headers["In-Reply-To"] == "<thread-1@example.com>")
                    #expect(delivery.headers["References"] == "<thread-1@example.com>")
                    #expect(delivery.headers["MIME-Version"] == "1.0")
                    #expect(delivery.headers["Date"]?.hasSuffix("+0000") == true)
                    #expect(delivery.contentType == "multipart/alternative")
                    // MIME text travels in canonical form: CRLF line breaks.
                    #expect(delivery.text == body.replacingOccurrences(of: "\n", with: "\r\n"))
                    #expect(delivery.html == "<p>Hallo Jürgen, der Lauf wartet.</p>")
                    #expect(!delivery.raw.contains("audit@example.com"))
                }
            } catch {
                try await sink.stop()
                throw error
            }
            try await sink.stop()
        }

        @Test func wrongCredentialsAreAnAuthenticationError() async throws {
            let sink = try await SMTPSink.start()
            do {
                try await withClient { client in
                    let message = MailMessage(from: "agentry@example.com", to: ["a@example.com"], subject: "x", textBody: "y")
                    let smtp = SMTPConfiguration(
                        url: "smtp://127.0.0.1:\(sink.port)", startTLS: .disabled, username: "agentry", password: "wrong"
                    )
                    let error = await httpError { try await client.sendMail(message, via: smtp) }
                    #expect(error?.code == .authenticationFailed)
                    let delivered = try sink.deliveries()
                    #expect(delivered.isEmpty)
                }
            } catch {
                try await sink.stop()
                throw error
            }
            try await sink.stop()
        }

        @Test func requiredStartTLSFailsAgainstAPlainServer() async throws {
            let sink = try await SMTPSink.start()
            do {
                try await withClient { client in
                    let message = MailMessage(from: "agentry@example.com", to: ["a@example.com"], subject: "x", textBody: "y")
                    let smtp = SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .required)
                    let error = await httpError { try await client.sendMail(message, via: smtp) }
                    #expect(error?.code == .tlsFailed)
                    let delivered = try sink.deliveries()
                    #expect(delivered.isEmpty)
                }
            } catch {
                try await sink.stop()
                throw error
            }
            try await sink.stop()
        }

        @Test func invalidAddressesAreRejectedBeforeConnecting() async throws {
            try await withClient { client in
                let message = MailMessage(from: "agentry@example.com", to: ["bad>\r\nRCPT TO:<x@y>"], subject: "x", textBody: "y")
                let error = await httpError {
                    try await client.sendMail(message, via: SMTPConfiguration(url: "smtp://127.0.0.1:1", startTLS: .disabled))
                }
                #expect(error?.code == .invalidRequest)
            }
        }
    }
}
