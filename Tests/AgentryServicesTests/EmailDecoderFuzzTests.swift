import Foundation
import Testing

@testable import AgentryIngest

/// The inbound-email decoders fed mutated fixtures and random bytes: they answer (an email or an
/// ``EmailDecodingError``) and never crash, the same input always gets the same answer, and a
/// good share of mutated messages still decode (so the parsers are not simply refusing everything).
@Suite struct EmailDecoderFuzzTests {
    typealias Random = IngestParserFuzzTests.Random

    /// Raw messages to mutate.
    static let messages: [[UInt8]] = [
        EmailDecoderTests.gmail, EmailDecoderTests.outlook, EmailDecoderTests.appleMail, EmailDecoderTests.japanese,
        EmailDecoderTests.koi8r, EmailDecoderTests.nested, EmailDecoderTests.htmlOnly, EmailDecoderTests.forwarded,
        EmailDecoderTests.nestedMessage(levels: 4),
    ]

    /// A SendGrid parsed form and a Mailgun form (boundary "fz"), to mutate.
    static let forms: [[UInt8]] = [
        EmailDecoderTests.formBody(boundary: "fz", [
            EmailDecoderTests.field("headers", "From: a@example.com\r\nMessage-ID: <x@y>\r\nSubject: =?utf-8?q?hi?="),
            EmailDecoderTests.field("text", "Hello\r\n> quoted"),
            EmailDecoderTests.field("charsets", #"{"text":"iso-8859-1"}"#),
            ("attachment1", "a.txt", "text/plain", Array("abc".utf8)),
        ]),
        EmailDecoderTests.formBody(
            boundary: "fz", EmailDecoderTests.mailgunFields.map { EmailDecoderTests.field($0.name, $0.value) }),
    ]

    /// Everything the email decoders say about a message, for the determinism check.
    static func verdict(message bytes: [UInt8]) -> Result<InboundEmail, EmailDecodingError> {
        Result { () throws(EmailDecodingError) in try MIMEParser.parse(bytes) }
    }

    /// Everything the form decoders say about a form body.
    static func verdict(form bytes: [UInt8]) -> Result<InboundEmail, EmailDecodingError> {
        Result { () throws(EmailDecodingError) in
            let parts = try MultipartFormData.parse(bytes, contentType: "multipart/form-data; boundary=fz")
            return try ProviderEmailForm.email(from: parts)
        }
    }

    /// Everything the URL-encoded form decoder says about a body.
    static func verdict(urlEncoded bytes: [UInt8]) -> Result<InboundEmail, EmailDecodingError> {
        Result { () throws(EmailDecodingError) in try ProviderEmailForm.email(fromURLEncoded: bytes) }
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func mutatedMessagesNeverCrashAndAlwaysGetTheSameAnswer(seed: UInt64) {
        var random = Random(seed: seed)
        var decoded = 0
        var texts: Set<String> = []
        let rounds = 300
        for round in 0..<rounds {
            let input = random.input(round: round, seeds: Self.messages, randomLength: 300)
            let first = Self.verdict(message: input)
            #expect(Self.verdict(message: input) == first)
            if case .success(let email) = first {
                decoded += 1
                texts.insert(email.text)
                #expect(!email.text.contains("\r"))
                #expect(ReplyText.newContent(email.text) == ReplyText.newContent(email.text))
            }
        }
        // Most mutations leave a decodable message, and they reach past the headers.
        #expect(decoded > rounds * 2 / 3)
        #expect(texts.count > rounds / 5)
    }

    @Test(arguments: [21, 22] as [UInt64])
    func mutatedFormsNeverCrashAndAlwaysGetTheSameAnswer(seed: UInt64) {
        var random = Random(seed: seed)
        var decoded = 0
        let rounds = 300
        for round in 0..<rounds {
            let input = random.input(round: round, seeds: Self.forms, randomLength: 300)
            let first = Self.verdict(form: input)
            #expect(Self.verdict(form: input) == first)
            if case .success = first { decoded += 1 }

            // The same bytes as a URL-encoded post and as a raw message.
            #expect(Self.verdict(urlEncoded: input) == Self.verdict(urlEncoded: input))
        }
        #expect(decoded > rounds / 2)
    }

    @Test func mutatedURLEncodedPostsAndRepliesAreDeterministic() {
        var random = Random(seed: 31)
        let post = EmailDecoderTests.mailgunFields.map { field in
            field.name + "=" + (field.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }.joined(separator: "&")
        var decoded = 0
        for _ in 0..<300 {
            let input = random.mutate(Array(post.utf8))
            let first = Self.verdict(urlEncoded: input)
            #expect(Self.verdict(urlEncoded: input) == first)
            if case .success = first { decoded += 1 }

            let seed = Array(Self.replies[random.int(0..<Self.replies.count)].utf8)
            let text = String(decoding: random.mutate(seed), as: UTF8.self)
            let reply = ReplyText.newContent(text)
            #expect(ReplyText.newContent(text) == reply)
            #expect(reply.utf8.count <= text.utf8.count)
        }
        #expect(decoded > 50)
    }

    /// Reply texts to mutate.
    static let replies = [
        "Thanks.\n\nOn Mon, Jun 3, 2024 at 9:00 AM Agentry <a@b.example> wrote:\n> Approve?",
        "Done.\n\n-----Original Message-----\nFrom: Agentry\nSent: Monday\n\nDo it.",
        "Merci.\n\nLe lun. 3 juin 2024, Agentry a écrit :\n> Valider ?",
        "Ok.\n-- \nAna",
    ]

    @Test func randomBytesNeverCrashAnyDecoder() {
        var random = Random(seed: 41)
        for _ in 0..<250 {
            let input = random.bytes(random.int(0..<400))
            #expect(Self.verdict(message: input) == Self.verdict(message: input))
            #expect(Self.verdict(form: input) == Self.verdict(form: input))
            _ = try? MultipartFormData.parse(input, contentType: String(decoding: input.prefix(40), as: UTF8.self))
            _ = EncodedWord.decode(String(decoding: input, as: UTF8.self))
            _ = AddressList.parse(String(decoding: input, as: UTF8.self))
            _ = MessageIDList.parse(String(decoding: input, as: UTF8.self))
            _ = EmailDate.parse(String(decoding: input, as: UTF8.self))
            _ = HTMLText.plainText(fromHTML: String(decoding: input, as: UTF8.self))
            _ = MIMEParameterizedValue(parsing: String(decoding: input, as: UTF8.self))
            _ = QuotedPrintable.decode(input[...])
            #expect(Base64Lenient.decode(input).count <= input.count / 4 * 3 + 2)
            for charset in ["iso-2022-jp", "utf-16", "shift_jis", "koi8-r", "gb18030", "utf-7", "bogus"] {
                _ = CharsetDecoder.decode(input, charset: charset)
            }
        }
    }
}
