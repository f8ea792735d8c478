/// One part of a `multipart/form-data` body (RFC 7578): a named field or an uploaded file.
struct FormPart: Sendable, Equatable {
    /// The field name (Content-Disposition `name`).
    var name: String
    /// The file name of an uploaded file (Content-Disposition `filename`); nil for plain fields.
    var filename: String?
    /// The part's Content-Type value as sent, parameters included; nil when absent.
    var contentType: String?
    /// The content, as sent.
    var body: [UInt8]

    init(name: String, filename: String? = nil, contentType: String? = nil, body: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }

    /// The content as text: in `charset` when given, else in the part's Content-Type charset, else UTF-8
    /// (with Latin-1 as the fallback for invalid UTF-8).
    func text(charset: String? = nil) -> String {
        let declared = charset ?? contentType.flatMap { MIMEParameterizedValue(parsing: $0)["charset"] }
        return CharsetDecoder.decode(body, charset: declared)
    }
}
