@testable import AgentryHTTP
import Foundation
import Testing

@Suite struct MailMessageTests {
    static let date = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 UTC

    private func render(_ message: MailMessage) -> String {
        String(decoding: message.rendered(), as: UTF8.self)
    }

    private func headerBlock(_ text: String) -> [String] {
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
    }

    @Test func rendersHeadersForAPlainMessage() {
        let message = MailMessage(
            from: MailAddress("agentry@example.com", name: "Agentry Bot"),
            to: ["oncall@example.com", MailAddress("lead@example.com", name: "Lead, Team")],
            cc: [MailAddress("audit@example.com")],
            bcc: ["hidden@example.com"],
            subject: "Run 42 needs approval",
            textBody: "Hello",
            date: Self.date,
            messageID: "abc@example.com",
            inReplyTo: "<parent@example.com>",
            references: ["<root@example.com>", "parent@example.com"]
        )
        let text = render(message)
        #expect(headerBlock(text) == [
            "Date: Tue, 14 Nov 2023 22:13:20 +0000",
            "From: Agentry Bot <agentry@example.com>",
            "To: oncall@example.com, \"Lead, Team\" <lead@example.com>",
            "Cc: audit@example.com",
            "Message-ID: <abc@example.com>",
            "In-Reply-To: <parent@example.com>",
            "References: <root@example.com> <parent@example.com>",
            "Subject: Run 42 needs approval",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ])
        #expect(!text.contains("hidden@example.com"))
        #expect(text.hasSuffix("\r\n\r\nHello\r\n"))
        #expect(message.recipients.map(\.address) == [
            "oncall@example.com", "lead@example.com", "audit@example.com", "hidden@example.com",
        ])
    }

    @Test func encodesNonASCIISubjectsAndNamesAsEncodedWords() throws {
        let subject = "Überprüfung nötig: Lauf 42 wartet auf Freigabe — bitte schnell ansehen 🚦"
        let message = MailMessage(
            from: MailAddress("agentry@example.com", name: "Jürgen Müller"),
            to: ["a@example.com"], subject: subject, textBody: "x", date: Self.date, messageID: "<m@example.com>"
        )
        let text = render(message)
        #expect(text.allSatisfy { $0.isASCII })
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        let subjectLine = try #require(headerBlock(text).first { $0.hasPrefix("Subject: ") })
        #expect(Self.decodeEncodedWords(String(subjectLine.dropFirst("Subject: ".count))) == subject)
        let fromLine = try #require(headerBlock(text).first { $0.hasPrefix("From: ") })
        #expect(fromLine.hasSuffix(" <agentry@example.com>"))
        let encodedName = fromLine.dropFirst("From: ".count).dropLast(" <agentry@example.com>".count)
        #expect(Self.decodeEncodedWords(String(encodedName)) == "Jürgen Müller")
    }

    @Test func foldsLongASCIISubjectsAtSpaces() throws {
        let subject = Array(repeating: "word", count: 40).joined(separator: " ")
        let message = MailMessage(from: "a@example.com", to: ["b@example.com"], subject: subject, textBody: "", date: Self.date)
        let text = render(message)
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        let subjectLine = try #require(headerBlock(text).first { $0.hasPrefix("Subject: ") })
        #expect(subjectLine == "Subject: " + subject)
    }

    @Test(arguments: [
        ("café = ok", "caf=C3=A9 =3D ok"),
        ("trailing space \nnext", "trailing space=20\r\nnext"),
        ("tab\t", "tab=09"),
        ("line\r\nbreaks\rand\nmore", "line\r\nbreaks\r\nand\r\nmore"),
    ])
    func quotedPrintableVectors(text: String, expected: String) {
        #expect(MIMEEncoding.quotedPrintable(text) == expected)
    }

    @Test func quotedPrintableSoftBreaksLongLinesAndRoundTrips() {
        let text = String(repeating: "Grüße aus dem Agentry-Lauf, ", count: 12) + "\n.dot line\nEnde ✓ "
        let encoded = MIMEEncoding.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
        }
        #expect(Self.decodeQuotedPrintable(encoded) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func rendersMultipartAlternativeWithBase64Parts() throws {
        let message = MailMessage(
            from: "a@example.com", to: ["b@example.com"], subject: "Report",
            textBody: "Plain ✓", htmlBody: "<p>Rich ✓</p>", date: Self.date, messageID: "<m1@example.com>",
            bodyEncoding: .base64
        )
        let text = render(message)
        let contentType = try #require(headerBlock(text).first { $0.hasPrefix("Content-Type: ") })
        let boundary = try #require(contentType.components(separatedBy: "boundary=\"").last?.dropLast())
        #expect(contentType.hasPrefix("Content-Type: multipart/alternative; boundary=\"=_agentry_"))
        let parts = text.components(separatedBy: "--\(boundary)")
        #expect(parts.count == 4)  // preamble, two parts, closing "--"
        #expect(parts[3] == "--\r\n")
        #expect(parts[1].contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(parts[2].contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        func partBody(_ part: String) -> String? {
            part.components(separatedBy: "\r\n\r\n").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let plain = try #require(partBody(parts[1]))
        let html = try #require(partBody(parts[2]))
        #expect(Data(base64Encoded: plain).map { String(decoding: $0, as: UTF8.self) } == "Plain ✓")
        #expect(Data(base64Encoded: html).map { String(decoding: $0, as: UTF8.self) } == "<p>Rich ✓</p>")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func headerValuesCannotInjectLines() {
        let message = MailMessage(
            from: "a@example.com", to: ["b@example.com"], subject: "Hi\r\nBcc: victim@example.com", textBody: "",
            date: Self.date, messageID: "<x@example.com>\r\nX-Injected: 1"
        )
        let lines = render(message).components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Injected:") })
    }

    @Test func addressValidation() {
        #expect(MailAddress("a@example.com").isValid)
        #expect(!MailAddress("a@example.com>\r\nRCPT TO:<x@y>").isValid)
        #expect(!MailAddress("no-at-sign").isValid)
        #expect(!MailAddress("a@b@c").isValid)
        #expect(MailAddress("a@example.com").domain == "example.com")
    }

    // MARK: Independent decoders

    static func decodeEncodedWords(_ text: String) -> String {
        text.split(separator: " ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return String(word) }
            let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return Data(base64Encoded: String(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "<invalid>"
        }.joined()
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "="), index + 2 < input.count,
               let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
