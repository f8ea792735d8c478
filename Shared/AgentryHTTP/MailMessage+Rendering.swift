import Foundation

extension MailMessage {
    /// The message in RFC 5322 form with CRLF line breaks, 7-bit clean, ready for SMTP `DATA`.
    /// A `Message-ID` is generated from the sender's domain if ``messageID`` is `nil`.
    public func rendered() -> Data {
        let messageID = Self.angleBracketed(self.messageID ?? Self.makeMessageID(domain: from.domain))
        var header: [String] = []
        header.append("Date: \(Self.rfc5322Date(date))")
        header.append("From: \(from)")
        if !to.isEmpty { header.append(Self.addressField("To", to)) }
        if !cc.isEmpty { header.append(Self.addressField("Cc", cc)) }
        if !replyTo.isEmpty { header.append(Self.addressField("Reply-To", replyTo)) }
        header.append("Message-ID: \(messageID)")
        if let inReplyTo { header.append("In-Reply-To: \(Self.angleBracketed(inReplyTo))") }
        if !references.isEmpty {
            header.append("References: " + references.map(Self.angleBracketed).joined(separator: "\r\n "))
        }
        header.append("Subject: \(MIMEEncoding.unstructured(subject, headerNameLength: 7))")
        header.append("MIME-Version: 1.0")

        var text = header.joined(separator: "\r\n") + "\r\n"
        if let htmlBody {
            let boundary = Self.boundary(for: messageID)
            text += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
            text += "This is a multi-part message in MIME format.\r\n"
            text += "--\(boundary)\r\n" + part(textBody, type: "text/plain")
            text += "\r\n--\(boundary)\r\n" + part(htmlBody, type: "text/html")
            text += "\r\n--\(boundary)--\r\n"
        } else {
            text += part(textBody, type: "text/plain") + "\r\n"
        }
        return Data(text.utf8)
    }

    /// Content headers, a blank line and the encoded body (without a final line break).
    private func part(_ body: String, type: String) -> String {
        let (encodingName, encoded) = switch bodyEncoding {
        case .quotedPrintable: ("quoted-printable", MIMEEncoding.quotedPrintable(body))
        case .base64: ("base64", MIMEEncoding.base64Lines(body))
        }
        return "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: \(encodingName)\r\n\r\n\(encoded)"
    }

    /// `Name: a, b, c`, folded between addresses to keep lines near 78 characters.
    private static func addressField(_ name: String, _ addresses: [MailAddress]) -> String {
        var output = "\(name): "
        var lineLength = output.count
        for (index, address) in addresses.enumerated() {
            let text = address.description
            if index > 0 {
                output += ","
                if lineLength + 2 + text.count > 78 {
                    output += "\r\n "
                    lineLength = 1
                } else {
                    output += " "
                    lineLength += 2
                }
            }
            output += text
            lineLength += text.count
        }
        return output
    }

    static func angleBracketed(_ id: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: id.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
        let trimmed = String(scalars).trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("<") ? trimmed : "<\(trimmed)>"
    }

    /// The date as RFC 5322 requires, in UTC: `Tue, 21 Nov 2023 00:53:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// A boundary that cannot occur in quoted-printable or base64 text (they never contain `=_`),
    /// stable for a given message.
    private static func boundary(for messageID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in messageID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return "=_agentry_" + String(hash, radix: 16)
    }
}
