extension InboundEmail {
    /// An email with the header-derived properties (ids, parties, subject, date) read from
    /// `headers`; body and attachments empty.
    init(decodingHeaders headers: MIMEHeaderFields) {
        self.init()
        self.headers = headers
        messageId = headers.first("Message-ID").flatMap { MessageIDList.parse($0).first }
        inReplyTo = headers.first("In-Reply-To").map(MessageIDList.parse) ?? []
        references = MessageIDList.parse(headers.all("References").joined(separator: " "))
        from = headers.first("From").flatMap { AddressList.parse($0).first }
        replyTo = headers.first("Reply-To").flatMap { AddressList.parse($0).first }
        to = headers.all("To").flatMap(AddressList.parse)
        cc = headers.all("Cc").flatMap(AddressList.parse)
        subject = headers.first("Subject").map(Self.decodedSubject) ?? ""
        date = headers.first("Date").flatMap(EmailDate.parse)
    }

    /// A subject value RFC 2047-decoded, with tabs and line breaks as spaces, trimmed.
    static func decodedSubject(_ value: String) -> String {
        let decoded = EncodedWord.decode(value)
        let flattened = String(
            decoded.unicodeScalars.map { $0 == "\t" || $0 == "\r" || $0 == "\n" ? " " : Character($0) })
        return flattened.trimmingBlanks()
    }
}
