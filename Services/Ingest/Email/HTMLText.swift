/// Plain text from an HTML mail body: what a reader sees, without markup.
///
/// Tags are removed; `<br>` is a line break; block elements (`p`, `div`, `li`, `tr`, headings,
/// lists, tables, `blockquote`, `pre`, `hr`) start on a new line, paragraphs and headings are
/// separated by a blank line. Whitespace collapses as in a browser except inside `<pre>`.
/// `<script>`, `<style>`, `<title>` and comments are dropped. Entities are decoded: the named
/// ones of ``entities`` and numeric `&#NNN;` / `&#xHH;` (`&nbsp;` becomes a plain space); an
/// unknown entity stays as written.
enum HTMLText {
    /// The text of `html`, lines trimmed, at most one blank line in a row, trimmed.
    static func plainText(fromHTML html: String) -> String {
        var renderer = Renderer(bytes: Array(html.utf8))
        renderer.run()
        return renderer.finish()
    }

    /// Named entities decoded, to the scalar they stand for: the Latin-1 set of HTML 4 and common punctuation.
    static let entities: [String: Unicode.Scalar] = {
        var table = punctuationEntities
        for (offset, name) in latin1EntityNames.split(separator: " ").enumerated() {
            table[String(name)] = Unicode.Scalar(UInt8(0xA0 + offset))
        }
        table["nbsp"] = " "
        return table
    }()

    /// The HTML 4 entity names of U+00A0 to U+00FF, in order.
    private static let latin1EntityNames = """
        nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute \
        micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring \
        AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml \
        times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil \
        egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash \
        ugrave uacute ucirc uuml yacute thorn yuml
        """

    /// Named entities outside Latin-1 (and the ASCII ones).
    private static let punctuationEntities: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "trade": "\u{2122}", "hellip": "\u{2026}",
        "mdash": "\u{2014}", "ndash": "\u{2013}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}",
        "rdquo": "\u{201D}",
        "bull": "\u{2022}", "euro": "\u{20AC}", "zwnj": "\u{200C}", "zwj": "\u{200D}", "thinsp": "\u{2009}",
    ]

    /// Elements whose content is not shown.
    private static let hiddenElements: Set<String> = ["script", "style", "title"]
    /// The byte sequences that open and close a comment.
    private static let commentOpen = Array("<!--".utf8)
    private static let commentClose = Array("-->".utf8)
    /// Elements that start and end on their own line.
    private static let blockElements: Set<String> = [
        "div", "li", "tr", "ul", "ol", "table", "pre", "hr", "section", "article", "header", "footer",
        "dd", "dt", "dl", "center", "address", "body", "html", "tbody", "thead", "caption", "form",
    ]
    /// Elements separated from their neighbours by a blank line.
    private static let paragraphElements: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"]

    /// The single-pass scanner producing the text.
    private struct Renderer {
        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []
        var pendingSpace = false
        var preformatted = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            output.reserveCapacity(bytes.count / 2)
        }

        /// Scans the whole input.
        mutating func run() {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x3C, tag() { continue }
                if byte == 0x26 {
                    entity()
                    continue
                }
                if EmailBytes.isWhitespace(byte), preformatted == 0 {
                    pendingSpace = true
                } else if byte == EmailBytes.cr {
                    // Inside <pre>: CRLF counts as one line break.
                } else {
                    emit(byte)
                }
                index += 1
            }
        }

        /// Appends a text byte, preceded by one space if whitespace was skipped mid-line.
        mutating func emit(_ byte: UInt8) {
            if pendingSpace, let last = output.last, last != EmailBytes.lf, last != EmailBytes.space {
                output.append(EmailBytes.space)
            }
            pendingSpace = false
            output.append(byte)
        }

        /// Ends the current line (for `<br>`).
        mutating func lineBreak() {
            while output.last == EmailBytes.space { output.removeLast() }
            output.append(EmailBytes.lf)
            pendingSpace = false
        }

        /// Makes sure the output ends with `count` line breaks (nothing at the very start).
        mutating func ensureBreaks(_ count: Int) {
            while output.last == EmailBytes.space { output.removeLast() }
            pendingSpace = false
            guard !output.isEmpty else { return }
            var trailing = 0
            // Counting stops at `count`: a long run of breaks is not walked again for every tag.
            while trailing < count, trailing < output.count, output[output.count - 1 - trailing] == EmailBytes.lf { trailing += 1 }
            for _ in trailing..<max(trailing, count) { output.append(EmailBytes.lf) }
        }

        /// Handles markup at `index` (a `<`); false when it is a literal `<`.
        mutating func tag() -> Bool {
            if EmailBytes.hasPrefix(bytes, at: index, end: bytes.count, lowercase: HTMLText.commentOpen) {
                index = find(HTMLText.commentClose, from: index + 4).map { $0 + 3 } ?? bytes.count
                return true
            }
            var cursor = index + 1
            let closing = cursor < bytes.count && bytes[cursor] == 0x2F
            if closing { cursor += 1 }
            if cursor < bytes.count, bytes[cursor] == 0x21 || bytes[cursor] == 0x3F {
                index = endOfTag(from: cursor)
                return true
            }
            let nameStart = cursor
            while cursor < bytes.count, isNameByte(bytes[cursor]) { cursor += 1 }
            guard cursor > nameStart, isLetter(bytes[nameStart]) else { return false }
            let name = String(decoding: bytes[nameStart..<cursor].map(EmailBytes.lowercased), as: UTF8.self)
            index = endOfTag(from: cursor)

            if hiddenElements.contains(name) {
                if !closing { skipContent(of: name) }
            } else if name == "br" {
                lineBreak()
            } else if paragraphElements.contains(name) {
                ensureBreaks(2)
            } else if blockElements.contains(name) {
                ensureBreaks(1)
                if name == "pre" { preformatted = max(0, preformatted + (closing ? -1 : 1)) }
            } else if name == "td" || name == "th" {
                if closing { pendingSpace = true }
            }
            return true
        }

        /// Skips to just after `</name>` (or to the end).
        mutating func skipContent(of name: String) {
            let closer = Array("</\(name)".utf8)
            var cursor = index
            while let found = find([0x3C, 0x2F], from: cursor) {
                if EmailBytes.hasPrefix(bytes, at: found, end: bytes.count, lowercase: closer) {
                    index = endOfTag(from: found + closer.count)
                    return
                }
                cursor = found + 2
            }
            index = bytes.count
        }

        /// The index after the `>` closing a tag whose name ends before `start`, honouring quoted attributes.
        func endOfTag(from start: Int) -> Int {
            var cursor = start
            var quote: UInt8?
            while cursor < bytes.count {
                let byte = bytes[cursor]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == 0x22 || byte == 0x27 {
                    quote = byte
                } else if byte == 0x3E {
                    return cursor + 1
                }
                cursor += 1
            }
            return bytes.count
        }

        /// Decodes the entity at `index` (a `&`), or emits the `&` literally.
        mutating func entity() {
            var cursor = index + 1
            while cursor < bytes.count, cursor - index <= 32, isNameByte(bytes[cursor]) || bytes[cursor] == 0x23 {
                cursor += 1
            }
            guard cursor < bytes.count, bytes[cursor] == 0x3B, cursor > index + 1 else {
                emit(0x26)
                index += 1
                return
            }
            let name = String(decoding: bytes[(index + 1)..<cursor], as: UTF8.self)
            let scalar: Unicode.Scalar?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalar = UInt32(name.dropFirst(2), radix: 16).map { Unicode.Scalar($0) ?? "\u{FFFD}" }
            } else if name.hasPrefix("#") {
                scalar = UInt32(name.dropFirst(), radix: 10).map { Unicode.Scalar($0) ?? "\u{FFFD}" }
            } else {
                scalar = HTMLText.entities[name]
            }
            guard let scalar else {
                emit(0x26)
                index += 1
                return
            }
            let decoded = scalar == "\u{0}" ? "\u{FFFD}" : scalar
            if decoded == " " {
                // &nbsp; is a space that does not collapse.
                if pendingSpace { emit(EmailBytes.space) } else { output.append(EmailBytes.space) }
                pendingSpace = false
            } else {
                for (offset, byte) in String(Character(decoded)).utf8.enumerated() {
                    if offset == 0 { emit(byte) } else { output.append(byte) }
                }
            }
            index = cursor + 1
        }

        /// The index of the next occurrence of `needle` at or after `start`.
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
            var cursor = start
            while cursor + needle.count <= bytes.count {
                if bytes[cursor] == needle[0], bytes[cursor..<(cursor + needle.count)].elementsEqual(needle) {
                    return cursor
                }
                cursor += 1
            }
            return nil
        }

        /// The text with line-trailing blanks removed, blank-line runs collapsed, trimmed.
        func finish() -> String {
            let text = String(decoding: output, as: UTF8.self)
            var lines: [Substring] = []
            var blankRun = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                var trimmed = line
                while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
                if trimmed.isEmpty {
                    blankRun += 1
                    if blankRun > 1 { continue }
                } else {
                    blankRun = 0
                }
                lines.append(trimmed)
            }
            return lines.joined(separator: "\n").trimmingBlanks()
        }

        private func isNameByte(_ byte: UInt8) -> Bool {
            isLetter(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x3A
        }

        private func isLetter(_ byte: UInt8) -> Bool {
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
    }
}
