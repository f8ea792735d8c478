import Foundation
import Testing

@testable import AgentryIngest

/// The inbound-email decoding layer: raw RFC 5322 messages, provider form posts and reply extraction,
/// checked against fixtures written from the formats (RFC 5322, 2045-2047, 2231, 3676, 7578,
/// SendGrid Inbound Parse, Mailgun routes).
@Suite struct EmailDecoderTests {
    // MARK: - Fixtures

    /// `text` with every LF turned into CRLF, as bytes (the wire form of a message).
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    /// A Gmail-style reply: multipart/alternative, quoted-printable UTF-8, encoded-word From and Subject.
    static let gmail = crlf(
        """
        MIME-Version: 1.0
        Date: Mon, 3 Jun 2024 10:15:42 +0200 (CEST)
        Message-ID: <CAF=abc123+def@mail.gmail.com>
        In-Reply-To: <run-42.1717400000@agentry.example.com>
        References: <thread-root@agentry.example.com>
         <run-42.1717400000@agentry.example.com>
        Subject: Re: =?UTF-8?Q?Caf=C3=A9_order?= status
        From: =?UTF-8?B?QW5hIELDqWxhbmdlcg==?= <Ana.Belanger@Example.COM>
        To: Agentry <agentry@inbound.example.com>
        Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

        --000000000000a1b2c3
        Content-Type: text/plain; charset="UTF-8"
        Content-Transfer-Encoding: quoted-printable

        Yes, please go ahead with the caf=C3=A9 order =E2=80=94 it is a very long line=
         that Gmail wrapped.

        On Mon, Jun 3, 2024 at 9:00 AM Agentry <agentry@inbound.example.com> wrote:
        > Shall I place the order?
        --000000000000a1b2c3
        Content-Type: text/html; charset="UTF-8"
        Content-Transfer-Encoding: quoted-printable

        <div dir=3D"ltr">Yes, please go ahead</div>
        --000000000000a1b2c3--
        """)

    /// An Outlook-style message: Windows-1252 text in base64, a group in Cc, an Outlook quote separator.
    static let outlook = crlf(
        """
        From: =?iso-8859-1?Q?M=FCller=2C_J=F6rg?= <J.Mueller@Contoso.Example>
        To: agentry@inbound.example.com, "Ops Team" <ops@Contoso.Example>
        Cc: Reviewers: rev1@contoso.example, "Rev Two" <rev2@contoso.example>;, undisclosed-recipients:;
        Subject: =?windows-1252?Q?Quarterly_report_=96_draft?=
        Date: Tue, 4 Jun 2024 07:30:00 +0000
        Message-ID:
         <DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com>
        Thread-Index: AQHa
        Content-Type: multipart/alternative;
        \tboundary="_000_DB9PR01MB1234_"
        MIME-Version: 1.0

        --_000_DB9PR01MB1234_
        Content-Type: text/plain; charset="Windows-1252"
        Content-Transfer-Encoding: base64

        VGhlIHJlcG9ydCBpcyBhdHRhY2hlZCCWIHNlZSCTU3VtbWFyeZQuDQoNCkJlc3QsDQpK9nJnDQoN
        Ci0tLS0tT3JpZ2luYWwgTWVzc2FnZS0tLS0tDQpGcm9tOiBBZ2VudHJ5IDxhZ2VudHJ5QGluYm91
        bmQuZXhhbXBsZS5jb20+DQpTZW50OiBNb25kYXksIEp1bmUgMywgMjAyNCA5OjAwIEFNDQpTdWJq
        ZWN0OiBRdWFydGVybHkgcmVwb3J0DQoNCkNvdWxkIHlvdSBzZW5kIHRoZSByZXBvcnQ/DQo=

        --_000_DB9PR01MB1234_
        Content-Type: text/html; charset="Windows-1252"
        Content-Transfer-Encoding: base64

        PGh0bWw+PGJvZHk+PHA+VGhlIHJlcG9ydCBpcyBhdHRhY2hlZCAmIzgyMTE7IHNlZSCTU3VtbWFy
        eZQuPC9wPjwvYm9keT48L2h0bWw+

        --_000_DB9PR01MB1234_--
        """)

    /// An Apple Mail message: flowed text, RFC 2231 file names (single and continued), an inline image.
    static let appleMail = crlf(
        """
        From: Bea Costa <bea@example.org>
        To: agentry@inbound.example.com
        Subject: Files for the audit
        Date: Wed, 5 Jun 2024 16:02:11 +0100
        Message-Id: <6F1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8@example.org>
        Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
        Content-Type: multipart/mixed;
        \tboundary="Apple-Mail=_0A1B2C3D-4E5F"

        This is a multi-part message in MIME format.

        --Apple-Mail=_0A1B2C3D-4E5F
        Content-Transfer-Encoding: 7bit
        Content-Type: text/plain;
        \tcharset=us-ascii;
        \tformat=flowed

        Here are the files for the audit. This sentence is long and\u{20}
        was flowed onto a second line by the mail client.

        Bea
        --Apple-Mail=_0A1B2C3D-4E5F
        Content-Disposition: attachment;
        \tfilename*=utf-8''R%C3%A9sum%C3%A9%20final.pdf
        Content-Type: application/pdf;
        \tname*=utf-8''R%C3%A9sum%C3%A9%20final.pdf
        Content-Transfer-Encoding: base64

        AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
        --Apple-Mail=_0A1B2C3D-4E5F
        Content-Disposition: attachment;
        \tfilename*0*=utf-8''%E6%97%A5%E6%9C%AC;
        \tfilename*1="-notes.txt"
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        hello=0Aworld
        --Apple-Mail=_0A1B2C3D-4E5F
        Content-Transfer-Encoding: base64
        Content-Disposition: inline; filename="=?UTF-8?B?Zm90bw==?=.png"
        Content-Type: image/png

        iVBORw0KGgo
        --Apple-Mail=_0A1B2C3D-4E5F--

        Epilogue text that is ignored.
        """)

    /// A Japanese message in ISO-2022-JP (7-bit with escape sequences).
    static let japanese = crlf(
        """
        From: =?ISO-2022-JP?B?GyRCMnE1RCRON28bKEI=?= <tanaka@example.jp>
        To: agentry@inbound.example.com
        Subject: =?ISO-2022-JP?B?GyRCMnE1RCRON28bKEI=?=
        Date: Thu, 6 Jun 2024 09:00:00 +0900
        Message-ID: <20240606090000.1234@example.jp>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=ISO-2022-JP
        Content-Transfer-Encoding: 7bit

        \u{1B}$B$3$s$K$A$O!"@$3&!#\u{1B}(B
        \u{1B}$BE:IU%U%!%$%k$r3NG'$7$F$/$@$5$$!#\u{1B}(B
        """)

    /// A Russian message with raw KOI8-R bytes in the body and a KOI8-R encoded-word subject.
    static let koi8r: [UInt8] =
        crlf(
            """
            From: ivan@example.ru
            To: agentry@inbound.example.com
            Subject: =?koi8-r?B?79Teo9Q=?=
            Content-Type: text/plain; charset="koi8-r"
            Content-Transfer-Encoding: 8bit


            """)
        + [
            240, 210, 201, 215, 197, 212, 44, 32, 205, 201, 210, 33, 32, 239, 212, 222, 163, 212, 32, 199,
            207, 212, 207, 215, 46, 13, 10,
        ]

    /// A nested multipart/mixed > related > alternative message with an inline image and a PDF.
    static let nested = crlf(
        """
        From: carol@example.net
        To: agentry@inbound.example.com
        Subject: Nested
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: multipart/related; boundary="related"; type="multipart/alternative"

        --related
        Content-Type: multipart/alternative; boundary="alt"

        --alt
        Content-Type: text/html; charset=utf-8

        <p>HTML version</p>
        --alt
        Content-Type: text/plain; charset=utf-8

        Plain version, preferred.
        --alt--
        --related
        Content-Type: image/png
        Content-ID: <logo@example.net>
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --related--
        --outer
        Content-Type: application/pdf; name="report.pdf"
        Content-Disposition: attachment
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --outer--
        """)

    /// The HTML of an HTML-only message.
    static let htmlOnly = crlf(
        """
        From: news@example.com
        To: agentry@inbound.example.com
        Subject: HTML only
        Content-Type: text/html; charset=utf-8

        <html><head><title>Ignored title</title><style>p { color: red; }</style></head>
        <body><script>var x = "<p>hidden</p>";</script>
        <p>Hello&nbsp;there, <b>Ana</b> &amp; team!</p>
        <div>First line<br>Second   line</div>
        <ul><li>One &lt;1&gt;</li><li>Two &#x2713; &#8364; &quot;q&quot; &#39;s&#39;</li></ul>
        <!-- a comment <p>not shown</p> -->
        <p>Caf&eacute; stays &unknown; as written</p>
        </body></html>
        """)

    /// A forwarded message attached as message/rfc822.
    static let forwarded = crlf(
        """
        From: dave@example.com
        To: agentry@inbound.example.com
        Subject: Fwd: Invoice
        Content-Type: multipart/mixed; boundary="fwd"

        --fwd
        Content-Type: text/plain

        See the forwarded invoice below.
        --fwd
        Content-Type: message/rfc822
        Content-Disposition: attachment; filename="Invoice.eml"

        From: billing@vendor.example
        Subject: Invoice
        Content-Type: text/plain

        This text belongs to the attached message, not to the body.
        --fwd--
        """)

    // MARK: - Raw messages

    @Test func gmailMultipartAlternativeWithQuotedPrintable() throws {
        let email = try MIMEParser.parse(Self.gmail)
        #expect(email.messageId == "<CAF=abc123+def@mail.gmail.com>")
        #expect(email.inReplyTo == ["<run-42.1717400000@agentry.example.com>"])
        #expect(email.references == ["<thread-root@agentry.example.com>", "<run-42.1717400000@agentry.example.com>"])
        #expect(email.from == EmailAddress(name: "Ana Bélanger", address: "Ana.Belanger@example.com"))
        #expect(email.to == [EmailAddress(name: "Agentry", address: "agentry@inbound.example.com")])
        #expect(email.subject == "Re: Café order status")
        #expect(email.date == Date(timeIntervalSince1970: 1_717_402_542))
        let reply = "Yes, please go ahead with the café order — it is a very long line that Gmail wrapped."
        #expect(email.text.hasPrefix(reply + "\n\nOn Mon"))
        #expect(email.text.hasSuffix("> Shall I place the order?"))
        #expect(!email.text.contains("\r"))
        #expect(email.attachments.isEmpty)
        #expect(!email.isAutomatic)
        #expect(email.header("mime-version") == "1.0")
        #expect(ReplyText.newContent(email.text) == reply)
    }

    @Test func outlookWindows1252InBase64() throws {
        let email = try MIMEParser.parse(Self.outlook)
        #expect(email.from == EmailAddress(name: "Müller, Jörg", address: "J.Mueller@contoso.example"))
        #expect(email.to == [
            EmailAddress(address: "agentry@inbound.example.com"),
            EmailAddress(name: "Ops Team", address: "ops@contoso.example"),
        ])
        #expect(email.cc == [
            EmailAddress(address: "rev1@contoso.example"),
            EmailAddress(name: "Rev Two", address: "rev2@contoso.example"),
        ])
        #expect(email.subject == "Quarterly report – draft")
        #expect(email.messageId == "<DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com>")
        #expect(email.date == Date(timeIntervalSince1970: 1_717_486_200))
        let reply = "The report is attached – see “Summary”.\n\nBest,\nJörg"
        #expect(email.text.hasPrefix(reply + "\n\n-----Original Message-----"))
        #expect(email.text.hasSuffix("Could you send the report?"))
        #expect(ReplyText.newContent(email.text) == reply)
    }

    @Test func appleMailAttachmentsWithRFC2231FileNames() throws {
        let email = try MIMEParser.parse(Self.appleMail)
        #expect(email.messageId == "<6F1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8@example.org>")
        let paragraph = "Here are the files for the audit. This sentence is long and was flowed onto a second line"
        #expect(email.text == paragraph + " by the mail client.\n\nBea")
        #expect(email.attachments == [
            EmailAttachment(filename: "Résumé final.pdf", contentType: "application/pdf", size: 30),
            EmailAttachment(filename: "日本-notes.txt", contentType: "text/plain", size: 11),
            EmailAttachment(filename: "foto.png", contentType: "image/png", size: 8),
        ])
    }

    @Test func iso2022jpJapaneseMail() throws {
        let email = try MIMEParser.parse(Self.japanese)
        #expect(email.subject == "会議の件")
        #expect(email.from?.name == "会議の件")
        #expect(email.text == "こんにちは、世界。\n添付ファイルを確認してください。")
        #expect(email.date == Date(timeIntervalSince1970: 1_717_632_000))
    }

    @Test func koi8rRawEightBitBody() throws {
        let email = try MIMEParser.parse(Self.koi8r)
        #expect(email.subject == "Отчёт")
        #expect(email.text == "Привет, мир! Отчёт готов.")
        #expect(email.from == EmailAddress(address: "ivan@example.ru"))
    }

    @Test(arguments: [
        ("=?UTF-8?B?SGVsbG8g?= =?UTF-8?B?V29ybGQ=?=", "Hello World"),
        ("=?utf-8?q?caf=C3=A9?= au lait", "café au lait"),
        ("=?UTF-8?Q?caf=C3?=\n =?UTF-8?Q?=A9_cr=C3=A8me?=", "café crème"),
        ("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"),
        ("Re: [ticket #12] =?utf-8?b?0J/RgNC40LLQtdGC?=", "Re: [ticket #12] Привет"),
        ("=?utf-8*en?Q?a?=\t=?utf-8?Q?b?= c", "ab c"),
        ("=?UTF-8?X?abc?= stays", "=?UTF-8?X?abc?= stays"),
        ("=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated"),
        ("=?UTF-8?Q?has space?=", "=?UTF-8?Q?has space?="),
        ("=?UTF-8?B?not*base64?=", "=?UTF-8?B?not*base64?="),
        ("=?x-unknown-charset?Q?plain?=", "plain"),
        ("plain subject", "plain subject"),
    ])
    func encodedWordSubjects(encoded: String, decoded: String) throws {
        let message = Self.crlf("From: a@example.com\nSubject: \(encoded)\n\nbody")
        #expect(try MIMEParser.parse(message).subject == decoded)
    }

    @Test func lfOnlyMessageWithFoldedHeaders() throws {
        let message = Array(
            """
            From: "Erin, the Tester" <erin@EXAMPLE.net>
            Subject: A subject that is folded
             onto a second line
            X-Repeated: one
            X-Repeated: two
            Message-ID: <lf-only@example.net>

            First line.
            Second line.\u{20}\u{20}


            """.utf8)
        let email = try MIMEParser.parse(message)
        #expect(email.from == EmailAddress(name: "Erin, the Tester", address: "erin@example.net"))
        #expect(email.subject == "A subject that is folded onto a second line")
        #expect(email.headers.all("x-repeated") == ["one", "two"])
        #expect(email.text == "First line.\nSecond line.")
        #expect(email.messageId == "<lf-only@example.net>")
    }

    @Test func eightBitHeadersAreAccepted() throws {
        let utf8 = Array("From: Jürgen Groß <jg@example.de>\r\nSubject: Grüße aus Köln\r\n\r\nHallo".utf8)
        let email = try MIMEParser.parse(utf8)
        #expect(email.subject == "Grüße aus Köln")
        #expect(email.from == EmailAddress(name: "Jürgen Groß", address: "jg@example.de"))
        // Not UTF-8: read as Latin-1.
        let latin1 = Array("Subject: Caf".utf8) + [0xE9] + Array("\r\nFrom: a@example.com\r\n\r\nbody".utf8)
        #expect(try MIMEParser.parse(latin1).subject == "Café")
    }

    @Test func nestedMultipartPrefersPlainTextAndListsAttachments() throws {
        let email = try MIMEParser.parse(Self.nested)
        #expect(email.text == "Plain version, preferred.")
        #expect(email.attachments == [
            EmailAttachment(filename: nil, contentType: "image/png", size: 8),
            EmailAttachment(filename: "report.pdf", contentType: "application/pdf", size: 9),
        ])
    }

    @Test func missingClosingBoundaryIsTolerated() throws {
        let message = Self.crlf(
            """
            From: a@example.com
            Content-Type: multipart/mixed; boundary=b

            preamble
            --b
            Content-Type: text/plain

            The body runs to the end.
            --b
            Content-Type: text/csv; name=data.csv

            a,b
            1,2
            """)
        let email = try MIMEParser.parse(message)
        #expect(email.text == "The body runs to the end.")
        #expect(email.attachments == [EmailAttachment(filename: "data.csv", contentType: "text/csv", size: 8)])
    }

    @Test func htmlOnlyBodyIsConvertedToText() throws {
        let email = try MIMEParser.parse(Self.htmlOnly)
        #expect(email.text == """
            Hello there, Ana & team!

            First line
            Second line
            One <1>
            Two ✓ € "q" 's'

            Café stays &unknown; as written
            """)
    }

    @Test func forwardedMessageIsAnAttachmentNotTheBody() throws {
        let email = try MIMEParser.parse(Self.forwarded)
        #expect(email.text == "See the forwarded invoice below.")
        #expect(email.attachments.count == 1)
        #expect(email.attachments.first?.filename == "Invoice.eml")
        #expect(email.attachments.first?.contentType == "message/rfc822")
        #expect((email.attachments.first?.size ?? 0) > 100)
    }

    @Test func singlePartAttachmentAndQuotedPrintableEdgeCases() throws {
        let pdf = try MIMEParser.parse(Self.crlf(
            "From: a@example.com\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0x\nLjQK"))
        #expect(pdf.text == "")
        #expect(pdf.attachments == [EmailAttachment(filename: nil, contentType: "application/pdf", size: 9)])

        let qp = try MIMEParser.parse(Self.crlf(
            "From: a@example.com\nContent-Transfer-Encoding: Quoted-Printable\n"
                + "Content-Type: text/plain; charset=utf-8\n\n"
                + "soft=\nbreak, lower =c3=a9, bad =ZZ and =4, trailing   \nencoded space=20\nend="))
        #expect(qp.text == "softbreak, lower é, bad =ZZ and =4, trailing\nencoded space \nend")
    }

    @Test func charsetFallbacksNeverFail() {
        #expect(CharsetDecoder.decode([0x63, 0x61, 0x66, 0xC3, 0xA9], charset: nil) == "café")
        #expect(CharsetDecoder.decode([0x63, 0x61, 0x66, 0xE9], charset: nil) == "café")
        #expect(CharsetDecoder.decode([0x63, 0x61, 0x66, 0xE9], charset: "us-ascii") == "café")
        #expect(CharsetDecoder.decode([0x93, 0x71, 0x94], charset: "iso-8859-1") == "“q”")
        #expect(CharsetDecoder.decode([0x61, 0xFF, 0x62], charset: "utf-8") == "a\u{FFFD}b")
        #expect(CharsetDecoder.decode([0x61, 0xE9], charset: "no-such-charset-xyz") == "aé")
        #expect(CharsetDecoder.decode([0x61, 0xE9], charset: "utf-8//IGNORE") == "aé")
        #expect(CharsetDecoder.decode([0xC4, 0xE3, 0xBA, 0xC3], charset: "gb2312") == "你好")
        #expect(CharsetDecoder.decode([0xA7, 0x41, 0xA6, 0x6E], charset: "big5") == "你好")
        #expect(CharsetDecoder.decode([0x82, 0xA0, 0x5C], charset: "shift_jis") == "あ\\")
        #expect(CharsetDecoder.decode([0xA4, 0xA2], charset: "EUC-JP") == "あ")
        #expect(CharsetDecoder.decode([0xFE, 0xFF, 0x00, 0x41, 0x00, 0xE9], charset: "utf-16") == "Aé")
        #expect(CharsetDecoder.decode([0xD0, 0xF0], charset: "windows-1251") == "Рр")
        #expect(CharsetDecoder.decode([0x61, 0xE9], charset: "EUC-JP") == "a\u{FFFD}")
        #expect(CharsetDecoder.decode([0x61, 0x82, 0x20, 0x62], charset: "Shift_JIS") == "a\u{FFFD} b")
    }

    @Test(arguments: [
        ("Auto-Submitted: auto-replied", true),
        ("Auto-Submitted: no", false),
        ("Auto-Submitted: No (a person)", false),
        ("Precedence: bulk", true),
        ("Precedence: auto_reply", true),
        ("Precedence: first-class", false),
        ("X-Autoreply: yes", true),
        ("X-Autorespond: vacation", true),
        ("Return-Path: <>", true),
        ("Return-Path: <ana@example.com>", false),
        ("Content-Type: multipart/report; report-type=delivery-status; boundary=r", true),
        ("X-Mailer: Thunderbird", false),
    ])
    func automaticMailDetection(header: String, automatic: Bool) throws {
        let message = Self.crlf(
            "From: Ana <ana@example.com>\n\(header)\n\n--r\nContent-Type: text/plain\n\nhello\n--r--")
        #expect(try MIMEParser.parse(message).isAutomatic == automatic)
    }

    @Test func bounceFromMailerDaemonIsAutomatic() throws {
        let bounce = Self.crlf(
            """
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
            To: agentry@inbound.example.com
            Subject: Undelivered Mail Returned to Sender
            Content-Type: multipart/report; report-type=delivery-status; boundary="rep"

            --rep
            Content-Type: text/plain

            This is the mail system. Your message could not be delivered.
            --rep
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.com
            --rep--
            """)
        let email = try MIMEParser.parse(bounce)
        #expect(email.isAutomatic)
        #expect(email.text == "This is the mail system. Your message could not be delivered.")
        #expect(email.attachments.map(\.contentType) == ["message/delivery-status"])
        let postmaster = try MIMEParser.parse(Self.crlf("From: postmaster@example.com\n\nhi"))
        #expect(postmaster.isAutomatic)
    }

    @Test(arguments: [
        ("<a@b.example>", ["<a@b.example>"]),
        ("  <a@b.example>  (comment <x@y>)", ["<a@b.example>"]),
        ("<a@b.example> <c@d.example>", ["<a@b.example>", "<c@d.example>"]),
        ("<a@b.example>,<c@d.example>", ["<a@b.example>", "<c@d.example>"]),
        ("<a@b.example><c@d.example>", ["<a@b.example>", "<c@d.example>"]),
        ("<a@b.example>\t<a@b.example>", ["<a@b.example>"]),
        ("<> <junk> <@x> <a@b.example", []),
        ("<broken <c@d.example>", ["<c@d.example>"]),
        ("<a@b.example> (Ana's message of \"Mon, 3 Jun\")", ["<a@b.example>"]),
        ("\"quoted <q@q.example>\" <a@b.example>", ["<a@b.example>"]),
        ("bare@id.example, other@id.example", ["<bare@id.example>", "<other@id.example>"]),
        ("<long-id-folded\n @example.com>", ["<long-id-folded@example.com>"]),
    ])
    func messageIdLists(value: String, ids: [String]) {
        #expect(MessageIDList.parse(value) == ids)
    }

    @Test func inReplyToAndReferencesFromHeaders() throws {
        let message = Self.crlf(
            """
            From: a@example.com
            Message-ID:   <own@example.com> (sent by us)
            In-Reply-To: <parent@agentry.example> (Agentry's message)
            References: <root@agentry.example>
             <mid@agentry.example>,<parent@agentry.example>
            References: <late@agentry.example>

            body
            """)
        let email = try MIMEParser.parse(message)
        #expect(email.messageId == "<own@example.com>")
        #expect(email.inReplyTo == ["<parent@agentry.example>"])
        #expect(email.references == [
            "<root@agentry.example>", "<mid@agentry.example>", "<parent@agentry.example>", "<late@agentry.example>",
        ])
    }

    @Test func addressLists() {
        let parsed = AddressList.parse(
            #""Ana B." <ana@Example.COM>, bob@example.com (Bob), Group: c@d.E;, <@relay.example:dee@Relay.example>, "#
                + #"=?UTF-8?Q?Fran=C3=A7ois?= <Francois@EXAMPLE.fr>, not-an-address, "Esc \"q\" aped" <e@x.example>"#)
        #expect(parsed == [
            EmailAddress(name: "Ana B.", address: "ana@example.com"),
            EmailAddress(name: nil, address: "bob@example.com"),
            EmailAddress(name: nil, address: "c@d.e"),
            EmailAddress(name: nil, address: "dee@relay.example"),
            EmailAddress(name: "François", address: "Francois@example.fr"),
            EmailAddress(name: "Esc \"q\" aped", address: "e@x.example"),
        ])
        #expect(AddressList.parse("undisclosed-recipients:;").isEmpty)
    }

    @Test(arguments: [
        ("Mon, 3 Jun 2024 10:15:42 +0200 (CEST)", 1_717_402_542 as Double?),
        ("Fri, 31 Dec 1999 23:59:00 -0500", 946_702_740),
        ("28 Feb 05 20:00 GMT", 1_109_620_800),
        ("Mon,  3 Jun 2024 08:15:42 UT", 1_717_402_542),
        ("31 Feb 2024 10:00:00 +0000", nil),
        ("not a date", nil),
    ])
    func dates(value: String, seconds: Double?) {
        #expect(EmailDate.parse(value) == seconds.map { Date(timeIntervalSince1970: $0) })
    }

    @Test func rfc2231ParametersAndQuotedValues() {
        let value = MIMEParameterizedValue(
            parsing: #"Attachment; FILENAME*0*=iso-8859-1'fr'caf%E9; filename*1="-menu.txt"; "#
                + #"size=12 (bytes); x="a;b\"c""#)
        #expect(value.value == "attachment")
        #expect(value["filename"] == "café-menu.txt")
        #expect(value["x"] == "a;b\"c")
        #expect(value["size"] == "12 (bytes)")
        let plainAndExtended = MIMEParameterizedValue(
            parsing: "inline; filename=fallback.txt; filename*=UTF-8''%E2%9C%93.txt")
        #expect(plainAndExtended["filename"] == "✓.txt")
        let missingSemicolon = MIMEParameterizedValue(parsing: "multipart/mixed boundary=abc")
        #expect(missingSemicolon.value == "multipart/mixed")
        #expect(missingSemicolon["boundary"] == "abc")
    }

    @Test func base64Leniency() {
        #expect(Base64Lenient.decode(Array("aGVs bG8\r\n=".utf8)) == Array("hello".utf8))
        #expect(Base64Lenient.decode(Array("aGVsbG8".utf8)) == Array("hello".utf8))
        #expect(Base64Lenient.decode(Array("aGk=aGk=".utf8)) == Array("hihi".utf8))
        #expect(Base64Lenient.decode(Array("!!a*G#k".utf8)) == Array("hi".utf8))
    }

    // MARK: - Errors

    @Test func messageWithoutHeadersIsRefused() {
        for input in ["", "\r\nbody only", "Just some text\nwithout headers", " leading continuation\n\nbody"] {
            #expect(throws: EmailDecodingError.noHeaderSection) { try MIMEParser.parse(Array(input.utf8)) }
        }
    }

    @Test func multipartWithoutBoundaryIsRefused() {
        let message = Self.crlf("From: a@example.com\nContent-Type: multipart/mixed\n\n--x\n\nhello\n--x--")
        #expect(throws: EmailDecodingError.missingBoundary) { try MIMEParser.parse(message) }
        #expect(EmailDecodingError.missingBoundary.reason == "multipart body without a boundary parameter")
    }

    /// A message with `levels` multiparts nested inside one another around one text part.
    static func nestedMessage(levels: Int) -> [UInt8] {
        var body = "Content-Type: text/plain\n\ndeep\n"
        for level in (0..<levels).reversed() {
            body = "Content-Type: multipart/mixed; boundary=\"b\(level)\"\n\n--b\(level)\n\(body)--b\(level)--\n"
        }
        return crlf("From: a@example.com\n" + body)
    }

    @Test func nestingIsLimitedToSixteenLevels() throws {
        #expect(try MIMEParser.parse(Self.nestedMessage(levels: 16)).text == "deep")
        #expect(throws: EmailDecodingError.nestingTooDeep(limit: 16)) {
            try MIMEParser.parse(Self.nestedMessage(levels: 17))
        }
        #expect(throws: EmailDecodingError.nestingTooDeep(limit: 16)) {
            try MIMEParser.parse(Self.nestedMessage(levels: 500))
        }
    }

    @Test func partCountIsLimited() throws {
        /// A multipart message with `count` empty parts.
        func message(parts count: Int) -> [UInt8] {
            var text = "From: a@example.com\nContent-Type: multipart/mixed; boundary=p\n\n"
            for _ in 0..<count { text += "--p\nContent-Type: application/octet-stream\n\nx\n" }
            return Self.crlf(text + "--p--\n")
        }
        #expect(try MIMEParser.parse(message(parts: 1000)).attachments.count == 1000)
        #expect(throws: EmailDecodingError.tooManyParts(limit: 1000)) { try MIMEParser.parse(message(parts: 1001)) }
    }

    @Test func headerSectionLimits() {
        let many = Self.crlf(String(repeating: "X-Field: v\n", count: 1001) + "\nbody")
        #expect(throws: EmailDecodingError.tooManyHeaderFields(limit: 1000)) { try MIMEParser.parse(many) }
        let huge = Self.crlf("From: a@example.com\nX-Big: " + String(repeating: "a", count: 300 * 1024) + "\n\nbody")
        #expect(throws: EmailDecodingError.headerSectionTooLarge(limit: 256 * 1024)) { try MIMEParser.parse(huge) }
    }

    @Test func reasonsQuoteAtMostSixtyFourCharacters() {
        let contentType = "text/plain; " + String(repeating: "x", count: 500)
        let error = #expect(throws: EmailDecodingError.self) {
            try MultipartFormData.parse([], contentType: contentType)
        }
        #expect((error?.reason.count ?? 1_000) < 64 + 80)
        #expect(error?.reason.contains("is not multipart/form-data") == true)
    }

    // MARK: - Provider forms

    /// One part of a form fixture.
    typealias FixturePart = (name: String, filename: String?, contentType: String?, body: [UInt8])

    /// A multipart/form-data body with CRLF line breaks.
    static func formBody(boundary: String, _ parts: [FixturePart]) -> [UInt8] {
        var bytes: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            bytes += Array((head + "\r\n").utf8) + part.body + Array("\r\n".utf8)
        }
        return bytes + Array("--\(boundary)--\r\n".utf8)
    }

    /// The parts of a form fixture `body` with `boundary`.
    static func formParts(_ body: [UInt8], boundary: String) throws -> [FormPart] {
        try MultipartFormData.parse(body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// A text field of a form.
    static func field(_ name: String, _ value: String) -> FixturePart {
        (name, nil, nil, Array(value.utf8))
    }

    @Test func sendGridParsedFormWithCharsets() throws {
        let headers = """
            Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Wed, 27 Jul 2016 20:53:06 +0000 (UTC)
            From: Ana <ana@example.com>
            To: agentry@inbound.example.com
            Subject: =?utf-8?Q?Re=3A_Budget?=
            Date: Wed, 5 Jun 2024 12:00:00 +0000
            Message-ID: <sg-reply@example.com>
            In-Reply-To: <run-7@agentry.example>
            References: <run-7@agentry.example>
            Content-Type: multipart/mixed; boundary="xYzZY"
            """.replacingOccurrences(of: "\n", with: "\r\n")
        let body = Self.formBody(boundary: "xYzZY", [
            Self.field("headers", headers),
            Self.field("dkim", "{@example.com : pass}"),
            Self.field("to", "agentry@inbound.example.com"),
            ("text", nil, nil, Array("Approved. Caf".utf8) + [0xE9] + Array(" budget too.\r\n\r\n".utf8)
                + Array("On Tue, Ana wrote:\r\n> ok?\r\n".utf8)),
            Self.field("html", "<p>Approved.</p>"),
            Self.field("from", "Ana Example <ana@example.com>"),
            Self.field("sender_ip", "192.0.2.1"),
            Self.field("envelope", #"{"to":["agentry@inbound.example.com"],"from":"ana@example.com"}"#),
            Self.field("attachments", "1"),
            Self.field("subject", "Re: Budget"),
            Self.field(
                "attachment-info",
                #"{"attachment1":{"filename":"budget.xlsx","name":"budget.xlsx","type":"application/vnd.ms-excel"}}"#),
            Self.field(
                "charsets", #"{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"iso-8859-1"}"#),
            Self.field("SPF", "pass"),
            ("attachment1", "budget.xlsx", "application/vnd.ms-excel", [UInt8](repeating: 7, count: 1234)),
        ])
        let fields = try MultipartFormData.parse(body, contentType: "multipart/form-data; boundary=xYzZY")
        #expect(fields.count == 14)
        #expect(fields.last?.filename == "budget.xlsx")
        let email = try ProviderEmailForm.email(from: fields)
        #expect(email.messageId == "<sg-reply@example.com>")
        #expect(email.inReplyTo == ["<run-7@agentry.example>"])
        #expect(email.references == ["<run-7@agentry.example>"])
        #expect(email.from == EmailAddress(name: "Ana Example", address: "ana@example.com"))
        #expect(email.to == [EmailAddress(address: "agentry@inbound.example.com")])
        #expect(email.subject == "Re: Budget")
        #expect(email.date == Date(timeIntervalSince1970: 1_717_588_800))
        #expect(email.text == "Approved. Café budget too.\n\nOn Tue, Ana wrote:\n> ok?")
        #expect(ReplyText.newContent(email.text) == "Approved. Café budget too.")
        #expect(email.attachments == [
            EmailAttachment(filename: "budget.xlsx", contentType: "application/vnd.ms-excel", size: 1234)
        ])
        #expect(!email.isAutomatic)
    }

    @Test func sendGridFormWithoutTextUsesHTMLAndHeaders() throws {
        let body = Self.formBody(boundary: "b", [
            Self.field(
                "headers", "From: Out Of Office <ooo@example.com>\nAuto-Submitted: auto-replied\nSubject: Away\n"),
            Self.field("html", "<div>I am away<br>until Monday</div>"),
        ])
        let email = try ProviderEmailForm.email(from: try Self.formParts(body, boundary: "b"))
        #expect(email.text == "I am away\nuntil Monday")
        #expect(email.subject == "Away")
        #expect(email.from?.address == "ooo@example.com")
        #expect(email.isAutomatic)
    }

    @Test func sendGridRawForm() throws {
        let body = Self.formBody(boundary: "----raw", [
            Self.field("dkim", "{@gmail.com : pass}"),
            Self.field("email", String(decoding: Self.gmail, as: UTF8.self)),
            Self.field("to", "agentry@inbound.example.com"),
            Self.field("from", "Ana <ana@example.com>"),
            Self.field("subject", "Re: Café order status"),
            Self.field("charsets", #"{"to":"UTF-8","subject":"UTF-8","from":"UTF-8"}"#),
        ])
        let fields = try MultipartFormData.parse(body, contentType: #"multipart/form-data; boundary="----raw""#)
        let email = try ProviderEmailForm.email(from: fields)
        #expect(email == (try MIMEParser.parse(Self.gmail)))
    }

    /// The fields of a Mailgun route post.
    static let mailgunFields: [(name: String, value: String)] = [
        ("recipient", "agentry@inbound.example.com"),
        ("sender", "bounce+abc@example.com"),
        ("from", "Bob Builder <Bob@Example.com>"),
        ("subject", "Re: Deploy to staging"),
        ("body-plain", "Go ahead.\r\n\r\n-- \r\nBob\r\n\r\nOn Tue, Jun 4, 2024 at 9:00 AM Agentry wrote:\r\n> Deploy?"),
        ("stripped-text", "Go ahead."),
        ("body-html", "<p>Go ahead.</p>"),
        ("Message-Id", "<mg-1@example.com>"),
        ("In-Reply-To", "<run-9@agentry.example>"),
        ("References", "<root-9@agentry.example> <run-9@agentry.example>"),
        (
            "message-headers",
            #"[["Received", "by mx"], ["From", "Bob Builder <Bob@Example.com>"], "#
                + #"["To", "Agentry <agentry@inbound.example.com>"], ["Cc", "ops@example.com"], "#
                + #"["Date", "Tue, 04 Jun 2024 09:05:00 +0000"], ["Subject", "Re: Deploy to staging"], "#
                + #"["Message-Id", "<mg-1@example.com>"], ["X-Mailgun-Variables", "{}"]]"#
        ),
        ("timestamp", "1717491900"),
        ("token", "0123456789abcdef"),
        ("signature", "d2271a2bd3e4b9c1"),
    ]

    /// What the Mailgun post decodes to (before attachments).
    static func checkMailgun(_ email: InboundEmail) {
        #expect(email.messageId == "<mg-1@example.com>")
        #expect(email.inReplyTo == ["<run-9@agentry.example>"])
        #expect(email.references == ["<root-9@agentry.example>", "<run-9@agentry.example>"])
        #expect(email.from == EmailAddress(name: "Bob Builder", address: "Bob@example.com"))
        #expect(email.to == [EmailAddress(name: "Agentry", address: "agentry@inbound.example.com")])
        #expect(email.cc == [EmailAddress(address: "ops@example.com")])
        #expect(email.subject == "Re: Deploy to staging")
        #expect(email.date == Date(timeIntervalSince1970: 1_717_491_900))
        #expect(email.text.hasPrefix("Go ahead.\n\n-- \nBob\n\nOn Tue"))
        #expect(ReplyText.newContent(email.text) == "Go ahead.")
        #expect(!email.isAutomatic)
    }

    @Test func mailgunMultipartForm() throws {
        var parts = Self.mailgunFields.map { Self.field($0.name, $0.value) }
        parts.append(Self.field("attachment-count", "2"))
        parts.append(("attachment-1", "photo.jpg", "image/jpeg", [UInt8](repeating: 1, count: 2048)))
        parts.append(("attachment-2", nil, nil, [1, 2, 3]))
        let body = Self.formBody(boundary: "mg-boundary", parts)
        let email = try ProviderEmailForm.email(
            from: try MultipartFormData.parse(body, contentType: "multipart/form-data; boundary=mg-boundary"))
        Self.checkMailgun(email)
        #expect(email.attachments == [
            EmailAttachment(filename: "photo.jpg", contentType: "image/jpeg", size: 2048),
            EmailAttachment(filename: nil, contentType: "application/octet-stream", size: 3),
        ])
    }

    @Test func mailgunURLEncodedForm() throws {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = Self.mailgunFields.map { field in
            field.name + "=" + field.value.addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
        let email = try ProviderEmailForm.email(fromURLEncoded: Array(body.utf8))
        Self.checkMailgun(email)
        #expect(email.attachments.isEmpty)

        let raw = String(decoding: Self.gmail, as: UTF8.self)
        let mime = "body-mime=" + raw.addingPercentEncoding(withAllowedCharacters: allowed)!
        #expect(try ProviderEmailForm.email(fromURLEncoded: Array(mime.utf8)) == (try MIMEParser.parse(Self.gmail)))
    }

    @Test func formsWithoutTheExpectedFieldsAreRefused() throws {
        let body = Self.formBody(boundary: "b", [Self.field("name", "value"), Self.field("comment", "hi")])
        let fields = try MultipartFormData.parse(body, contentType: "multipart/form-data; boundary=b")
        let error = #expect(throws: EmailDecodingError.self) { try ProviderEmailForm.email(from: fields) }
        #expect(error?.reason.contains("\"email\"") == true)
        #expect(error?.reason.contains("\"headers\"") == true)
        #expect(throws: EmailDecodingError.self) {
            try ProviderEmailForm.email(fromURLEncoded: Array("a=1&b=%zz".utf8))
        }
        #expect(throws: EmailDecodingError.self) { try ProviderEmailForm.email(fromURLEncoded: Array("a=1&b=2".utf8)) }
        // The raw message field is decoded, so its errors come through.
        let raw = Self.formBody(boundary: "b", [Self.field("email", "no headers here")])
        #expect(throws: EmailDecodingError.noHeaderSection) {
            try ProviderEmailForm.email(from: try Self.formParts(raw, boundary: "b"))
        }
    }

    @Test func multipartFormDataEdgeCases() throws {
        let lfOnly = Array(
            """
            --q
            Content-Disposition: form-data; name=a

            one
            --q
            Content-Disposition: form-data; name="b"; filename="x.txt"
            Content-Type: text/plain

            two
            --q

            no disposition
            --q
            """.utf8)
        let parts = try MultipartFormData.parse(lfOnly, contentType: "multipart/form-data; boundary=q")
        #expect(parts == [
            FormPart(name: "a", body: Array("one".utf8)),
            FormPart(name: "b", filename: "x.txt", contentType: "text/plain", body: Array("two".utf8)),
        ])
        for contentType in ["multipart/form-data", "multipart/form-data; boundary=zz", "application/json"] {
            #expect(throws: EmailDecodingError.self) { try MultipartFormData.parse(lfOnly, contentType: contentType) }
        }
        let many = Self.formBody(boundary: "m", (0..<1001).map { Self.field("f\($0)", "v") })
        #expect(throws: EmailDecodingError.tooManyParts(limit: 1000)) {
            try MultipartFormData.parse(many, contentType: "multipart/form-data; boundary=m")
        }
    }

    // MARK: - Reply text

    @Test(arguments: [
        (
            "Thanks, merged.\n\nOn Mon, Jun 3, 2024 at 9:00 AM Agentry <agentry@inbound.example.com> wrote:\n"
                + "> Please review.\n> Thanks",
            "Thanks, merged."
        ),
        (
            "Sounds good.\n\nOn Mon, Jun 3, 2024 at 9:00 AM Agentry <\nagentry@inbound.example.com> wrote:\n\n"
                + "> Please review.",
            "Sounds good."
        ),
        (
            "Done.\r\n\r\n-----Original Message-----\r\nFrom: Agentry\r\nSent: Monday\r\n\r\nPlease do it.",
            "Done."
        ),
        (
            "Approved for Q3.\n\nFrom: Agentry <agentry@inbound.example.com>\nSent: Monday, June 3, 2024 9:00 AM\n"
                + "To: Ana\nSubject: Budget\n\nApprove?",
            "Approved for Q3."
        ),
        (
            "Approved.\n\n________________________________\nFrom: Agentry <agentry@inbound.example.com>\nSent: Monday",
            "Approved."
        ),
        (
            "D'accord, merci.\n\nLe lun. 3 juin 2024 à 09:00, Agentry <agentry@inbound.example.com> a écrit :\n"
                + "> Valider ?",
            "D'accord, merci."
        ),
        (
            "Passt so.\n\nAm Mo., 3. Juni 2024 um 09:00 Uhr schrieb Agentry <agentry@inbound.example.com>:\n"
                + "> Freigeben?",
            "Passt so."
        ),
        ("Inline answer below.\n> question one\nanswer one\n-- \nAna\nCEO", "Inline answer below.\nanswer one"),
        ("> only quoted text\n> nothing new", "> only quoted text\n> nothing new"),
        ("  Just a plain message.  \n", "Just a plain message."),
        (
            "From: is how I start this line\nand no header block follows",
            "From: is how I start this line\nand no header block follows"
        ),
    ])
    func replyText(text: String, expected: String) {
        #expect(ReplyText.newContent(text) == expected)
    }

    // MARK: - Size

    @Test func largeMessagesDecodeLinearly() throws {
        let line = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", count: 2) + "\r\n"  // 70 chars + CRLF
        let attachment = String(repeating: line, count: 60_000)  // ~4.2 MiB of base64
        let text = String(repeating: "A line of the body with caf=C3=A9 and a soft=\r\n break.\r\n", count: 20_000)
        let message = Self.crlf(
            "From: big@example.com\nContent-Type: multipart/mixed; boundary=big\n\n--big\n"
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
            + Array(text.utf8)
            + Self.crlf("--big\nContent-Type: application/zip; name=big.zip\nContent-Transfer-Encoding: base64\n\n")
            + Array(attachment.utf8) + Self.crlf("--big--\n")
        let started = ContinuousClock.now
        let email = try MIMEParser.parse(message)
        let elapsed = ContinuousClock.now - started
        let zip = EmailAttachment(filename: "big.zip", contentType: "application/zip", size: 60_000 * 70 * 3 / 4)
        #expect(email.attachments == [zip])
        #expect(email.text.hasPrefix("A line of the body with café and a soft break.\nA line"))
        #expect(email.text.utf8.count == 20_000 * 48 - 1)
        // Generous even for a debug build; a quadratic step would take minutes at this size.
        #expect(elapsed < .seconds(20))
    }
}
