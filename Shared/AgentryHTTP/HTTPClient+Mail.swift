internal import CCurl

extension HTTPClient {
    /// Delivers an email over SMTP on this client's transfer thread.
    ///
    /// The envelope sender is ``MailMessage/from``; the recipients are to, cc and bcc (bcc is never
    /// rendered). The message is uploaded as rendered by ``MailMessage/rendered()``. Cancelling
    /// the calling task cancels the delivery.
    /// - Returns: the `Message-ID` of the delivered message, `<id@domain>`, generated from the
    ///   sender's domain if the message had none.
    /// - Throws: ``HTTPClientError``, such as ``HTTPClientError/Code/authenticationFailed``.
    @discardableResult
    public func sendMail(_ message: MailMessage, via smtp: SMTPConfiguration) async throws -> String {
        var message = message
        let messageID = MailMessage.angleBracketed(
            message.messageID ?? MailMessage.makeMessageID(domain: message.from.domain)
        )
        message.messageID = messageID
        let spec = try Self.mailSpec(message, smtp: smtp)
        _ = try await run(spec, delegate: CollectingTransferDelegate(maxBodySize: 1024 * 1024))
        return messageID
    }

    private static func mailSpec(
        _ message: MailMessage, smtp: SMTPConfiguration
    ) throws(HTTPClientError) -> TransferSpec {
        let scheme = smtp.url.prefix { $0 != ":" }.lowercased()
        guard scheme == "smtp" || scheme == "smtps", smtp.url.contains("://"),
              !smtp.url.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw HTTPClientError(.invalidURL, url: smtp.url, detail: "only smtp:// and smtps:// URLs are supported")
        }
        let recipients = message.recipients
        guard !recipients.isEmpty else {
            throw HTTPClientError(.invalidRequest, url: smtp.url, detail: "the message has no recipients")
        }
        if let bad = ([message.from] + recipients).first(where: { !$0.isValid }) {
            let detail = "invalid address \(bad.address.debugDescription)"
            throw HTTPClientError(.invalidRequest, url: smtp.url, detail: detail)
        }
        let data = message.rendered()
        let useSSL = switch smtp.startTLS {
        case .disabled: CURLUSESSL_NONE
        case .ifAvailable: CURLUSESSL_TRY
        case .required: CURLUSESSL_ALL
        }
        var options: [TransferSpec.Option] = [
            .string(CURLOPT_URL, smtp.url),
            .string(CURLOPT_PROTOCOLS_STR, "smtp,smtps"),
            .long(CURLOPT_USE_SSL, Int(useSSL.rawValue)),
            .long(CURLOPT_SSL_VERIFYPEER, smtp.verifyTLS ? 1 : 0),
            .long(CURLOPT_SSL_VERIFYHOST, smtp.verifyTLS ? 2 : 0),
            .string(CURLOPT_MAIL_FROM, "<\(message.from.address)>"),
            .stringList(CURLOPT_MAIL_RCPT, recipients.map { "<\($0.address)>" }),
            .long(CURLOPT_UPLOAD, 1),
            .offT(CURLOPT_INFILESIZE_LARGE, Int64(data.count)),
        ]
        if let caFile = smtp.caFile { options.append(.string(CURLOPT_CAINFO, caFile)) }
        if let username = smtp.username { options.append(.string(CURLOPT_USERNAME, username)) }
        if let password = smtp.password { options.append(.string(CURLOPT_PASSWORD, password)) }
        if let connect = smtp.timeouts.connect {
            options.append(.long(CURLOPT_CONNECTTIMEOUT_MS, connect.curlMilliseconds))
        }
        if let total = smtp.timeouts.total { options.append(.long(CURLOPT_TIMEOUT_MS, total.curlMilliseconds)) }
        return TransferSpec(
            url: smtp.url, options: options, upload: data, parsesHTTPHead: false, followsRedirects: false
        )
    }
}
