import Foundation

/// Decodes the form posts of inbound-mail providers into an ``InboundEmail``.
///
/// Three shapes are understood, tried in this order:
/// 1. a raw message field, `email` (SendGrid Inbound Parse with "POST the raw, full MIME
///    message") or `body-mime` (a Mailgun route forwarding to a URL ending in `mime`), parsed by
///    ``MIMEParser``;
/// 2. SendGrid Inbound Parse, recognised by its `headers` field (the raw header block): ids,
///    date and the automatic flag from the headers; `from`, `to`, `cc`, `subject` from their
///    fields (else the headers); the body from `text` (else `html`), each decoded in the charset
///    the `charsets` JSON gives for it; attachments from the file parts and `attachment-info`;
/// 3. a Mailgun route post, recognised by `message-headers`, `body-plain`, `stripped-text`,
///    `body-html` or `Message-Id`: ids from `Message-Id`, `In-Reply-To`, `References` (else the
///    headers), parties and subject from their fields (else the `message-headers` JSON array of
///    `[name, value]` pairs), the body from `body-plain` (else `stripped-text`, else `body-html`);
///    attachments from the file parts.
///
/// Field names are matched exactly first, then ignoring case (Mailgun also posts header-named
/// fields such as `From` and `To`).
enum ProviderEmailForm {
    /// The email in the fields of a `multipart/form-data` post (see ``MultipartFormData``).
    ///
    /// - Throws: ``EmailDecodingError`` when the form has none of the expected fields, or its raw
    ///   message field does not decode.
    static func email(from fields: [FormPart]) throws(EmailDecodingError) -> InboundEmail {
        let form = Fields(parts: fields)
        if let raw = form["email"] ?? form["body-mime"] {
            return try MIMEParser.parse(raw.body)
        }
        if let headerBlock = form["headers"] {
            return try sendGrid(form, headerBlock: headerBlock)
        }
        let mailgunFields = ["message-headers", "body-plain", "stripped-text", "body-html", "Message-Id"]
        if mailgunFields.contains(where: { form[$0] != nil }) {
            return try mailgun(form)
        }
        throw EmailDecodingError(
            reason: "the form has neither a raw message field (\"email\" or \"body-mime\") nor the fields of a parsed "
                + "email (SendGrid \"headers\", or Mailgun \"message-headers\" / \"body-plain\")")
    }

    /// The email in an `application/x-www-form-urlencoded` post (Mailgun sends this shape when the
    /// message has no attachments).
    ///
    /// - Throws: ``EmailDecodingError`` when the body is not a valid form or lacks the expected fields.
    static func email(fromURLEncoded body: [UInt8]) throws(EmailDecodingError) -> InboundEmail {
        let values: [String: String]
        do throws(APIError) {
            values = try FormURLEncoded.fields(body)
        } catch {
            throw EmailDecodingError(reason: error.message)
        }
        let parts = values.keys.sorted().map { FormPart(name: $0, body: Array(values[$0]!.utf8)) }
        return try email(from: parts)
    }

    /// A SendGrid Inbound Parse post without the raw message.
    private static func sendGrid(_ form: Fields, headerBlock: FormPart) throws(EmailDecodingError) -> InboundEmail {
        let charsets =
            form["charsets"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.body)) } ?? [:]
        let (headers, _) = try MIMEHeaderFields.parse(headerBlock.body, in: 0..<headerBlock.body.count)
        var email = InboundEmail(decodingHeaders: headers)
        /// A field's text in the charset SendGrid reports for it.
        func text(_ name: String) -> String? {
            form[name].map { $0.text(charset: charsets[name]) }
        }
        overrideParties(&email, from: text("from"), to: text("to"), cc: text("cc"), subject: text("subject"))
        email.text = bodyText(plain: [text("text")], html: text("html"))

        let info = form["attachment-info"].flatMap {
            try? JSONDecoder().decode([String: SendGridAttachmentInfo].self, from: Data($0.body))
        } ?? [:]
        email.attachments = attachments(form) { part in
            let details = info[part.name]
            return (details?.filename ?? details?.name, details?.type)
        }
        return email
    }

    /// A Mailgun route post without the raw message.
    private static func mailgun(_ form: Fields) throws(EmailDecodingError) -> InboundEmail {
        var headers = MIMEHeaderFields()
        if let json = form["message-headers"],
            let pairs = try? JSONDecoder().decode([[String]].self, from: Data(json.body))
        {
            for pair in pairs.prefix(MIMEHeaderFields.maxFields) where pair.count == 2 {
                headers.fields.append(MIMEHeaderField(name: pair[0], value: pair[1].trimmingBlanks()))
            }
        }
        // Header-named fields fill in what message-headers lacks.
        for name in ["Message-Id", "In-Reply-To", "References", "Date", "To", "Cc", "Reply-To", "Subject", "From"]
        where !headers.contains(name) {
            if let value = form[name]?.text() { headers.fields.append(MIMEHeaderField(name: name, value: value)) }
        }
        var email = InboundEmail(decodingHeaders: headers)
        overrideParties(
            &email, from: form["from"]?.text(), to: email.to.isEmpty ? form["recipient"]?.text() : nil, cc: nil,
            subject: form["subject"]?.text())
        email.text = bodyText(
            plain: [form["body-plain"]?.text(), form["stripped-text"]?.text()], html: form["body-html"]?.text())
        email.attachments = attachments(form) { _ in (nil, nil) }
        return email
    }

    /// Replaces the header-derived parties and subject with the provider's fields when present.
    private static func overrideParties(
        _ email: inout InboundEmail, from: String?, to: String?, cc: String?, subject: String?
    ) {
        if let from, let address = AddressList.parse(from).first { email.from = address }
        if let to, case let addresses = AddressList.parse(to), !addresses.isEmpty { email.to = addresses }
        if let cc, case let addresses = AddressList.parse(cc), !addresses.isEmpty { email.cc = addresses }
        if let subject { email.subject = InboundEmail.decodedSubject(subject) }
    }

    /// The first non-blank plain candidate, else the HTML as text; normalised.
    private static func bodyText(plain: [String?], html: String?) -> String {
        for candidate in plain {
            if let candidate, !candidate.trimmingBlanks().isEmpty { return EmailBytes.normalizedText(candidate) }
        }
        if let html { return EmailBytes.normalizedText(HTMLText.plainText(fromHTML: html)) }
        return ""
    }

    /// The uploaded files of the form (parts with a file name, or named `attachmentN` / `attachment-N`).
    ///
    /// - Parameter describe: A provider-specific file name and media type for a part, used when the part lacks them.
    private static func attachments(
        _ form: Fields, describe: (FormPart) -> (filename: String?, type: String?)
    ) -> [EmailAttachment] {
        form.parts.filter { part in
            part.filename != nil || isAttachmentName(part.name)
        }.map { part in
            let described = describe(part)
            let declared = part.contentType.map { MIMEParameterizedValue(parsing: $0).value }
                .flatMap { $0.isEmpty ? nil : $0 }
            return EmailAttachment(
                filename: part.filename.flatMap { $0.isEmpty ? nil : $0 } ?? described.filename,
                contentType: declared ?? described.type?.lowercased() ?? "application/octet-stream",
                size: part.body.count)
        }
    }

    /// Whether `name` is `attachment` followed by digits, optionally after a `-` (SendGrid, Mailgun).
    private static func isAttachmentName(_ name: String) -> Bool {
        guard name.hasPrefix("attachment") else { return false }
        var rest = name.dropFirst("attachment".count)
        if rest.first == "-" { rest = rest.dropFirst() }
        return !rest.isEmpty && rest.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// One entry of SendGrid's `attachment-info` JSON.
    private struct SendGridAttachmentInfo: Decodable {
        var filename: String?
        var name: String?
        var type: String?
    }

    /// The form's parts, looked up by name: exactly first, then ignoring case; the first of a repeated name wins.
    private struct Fields {
        let parts: [FormPart]

        subscript(name: String) -> FormPart? {
            parts.first { $0.name == name } ?? parts.first { EmailBytes.equalsIgnoringCase($0.name, name) }
        }
    }
}
