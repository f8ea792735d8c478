/// RFC 5322 address lists (From, To, Cc, Reply-To) parsed into ``EmailAddress`` values.
///
/// Handles display names (quoted or not, RFC 2047-decoded), angle addresses with obsolete routes
/// (`<@relay:ana@example.com>`), bare addresses, comments (ignored), and groups
/// (`Team: a@example.com, b@example.com;`, whose members are listed; `undisclosed-recipients:;`
/// yields nothing). Entries without a usable `local@domain` are dropped.
enum AddressList {
    /// The mailboxes in `value` (an unfolded header value), in order.
    static func parse(_ value: String) -> [EmailAddress] {
        let bytes = Array(value.utf8)
        var result: [EmailAddress] = []
        var mailbox = MailboxBuilder()
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x22:
                // Quoted string: part of the display name, or a quoted local part.
                let (content, end) = EmailBytes.quotedString(bytes, from: index)
                index = end - 1
                mailbox.phrase.append(contentsOf: content)
                mailbox.raw.append(0x22)
                mailbox.raw.append(contentsOf: content)
                mailbox.raw.append(0x22)
            case 0x28:
                index = EmailBytes.endOfComment(bytes, from: index) - 1
                mailbox.phrase.append(EmailBytes.space)
            case 0x3C:
                let close = bytes[(index + 1)...].firstIndex(of: 0x3E) ?? bytes.count
                if mailbox.angle == nil { mailbox.angle = Array(bytes[(index + 1)..<close]) }
                index = close
            case 0x2C, 0x3B:
                if let address = mailbox.finish() { result.append(address) }
                mailbox = MailboxBuilder()
            case 0x3A where mailbox.angle == nil:
                // A group's display name ends here; its members follow.
                mailbox = MailboxBuilder()
            default:
                mailbox.phrase.append(byte)
                mailbox.raw.append(byte)
            }
            index += 1
        }
        if let address = mailbox.finish() { result.append(address) }
        return result
    }

    /// The pieces of one mailbox collected while scanning.
    private struct MailboxBuilder {
        /// Display-name text: words and quoted-string contents, unquoted.
        var phrase: [UInt8] = []
        /// The text outside angle brackets with quotes kept, for a bare addr-spec.
        var raw: [UInt8] = []
        /// The content of the first `<…>`.
        var angle: [UInt8]?

        /// The mailbox, or nil when it has no usable address.
        func finish() -> EmailAddress? {
            if let angle {
                var spec = String(decoding: angle, as: UTF8.self).filter { !$0.isWhitespace }
                // Obsolete route: "@relay1,@relay2:ana@example.com".
                if spec.hasPrefix("@"), let colon = spec.firstIndex(of: ":") {
                    spec = String(spec[spec.index(after: colon)...])
                }
                return EmailAddress(name: displayName(), normalizing: spec)
            }
            let spec = String(decoding: raw, as: UTF8.self).filter { !$0.isWhitespace }
            return EmailAddress(name: nil, normalizing: spec)
        }

        /// The phrase decoded and whitespace-collapsed, or nil when empty.
        private func displayName() -> String? {
            let decoded = EncodedWord.decode(String(decoding: phrase, as: UTF8.self))
            let words = decoded.split(whereSeparator: { $0.isWhitespace })
            return words.isEmpty ? nil : words.joined(separator: " ")
        }
    }
}
