import AgentryContracts
import Crypto
import Foundation

/// The hash that chains audit entries: SHA-256 over a canonical serialisation of an entry's
/// content and the hash of the entry before it.
///
/// ## The serialisation (version 1)
///
/// ```
/// "agentry-audit-v1\n"
/// field(prev_hash) field(envelope_id) field(occurred_at_ms) field(tenant)
/// field(run_id) field(actor) field(action) field(payload)
///
/// field(x) = <number of UTF-8 bytes of x, in decimal> ":" <the UTF-8 bytes of x> "\n"
/// ```
///
/// - `prev_hash`: the previous entry's hash, or the empty string for the first entry of the log;
/// - `envelope_id`, `run_id`: lowercase UUIDs (`run_id` empty when there is none);
/// - `occurred_at_ms`: milliseconds since the Unix epoch in decimal (a leading `-` before 1970);
/// - `payload`: the stored `jsonb` rendered by PostgreSQL (`payload::text`), see
///   ``AuditEntryContent/payloadText``.
///
/// The hash is the digest in lowercase hexadecimal (64 characters). Length prefixes make the
/// serialisation unambiguous whatever the fields contain (a tenant holding a newline cannot
/// imitate a field boundary). The same value can be recomputed in SQL, for auditors without this
/// code (`f(x)` = `octet_length(x) || ':' || x || E'\n'`):
///
/// ```sql
/// SELECT seq, hash = encode(sha256(convert_to('agentry-audit-v1' || E'\n'
///     || f(coalesce(prev_hash, '')) || f(envelope_id::text)
///     || f(((extract(epoch FROM occurred_at) * 1000)::bigint)::text) || f(tenant)
///     || f(coalesce(run_id::text, '')) || f(actor) || f(action) || f(payload::text), 'UTF8')), 'hex')
/// FROM audit_log ORDER BY seq;
/// ```
public enum AuditHash {
    /// The label that opens every serialisation; a new format gets a new label.
    public static let formatLabel = "agentry-audit-v1"

    /// The hash of an entry with `content` that follows the entry whose hash is `previous`
    /// (`nil` for the first entry of the log).
    public static func compute(previous: String?, content: AuditEntryContent) -> String {
        let digest = SHA256.hash(data: canonicalBytes(previous: previous, content: content))
        return digest.hexString
    }

    /// The exact bytes that are hashed.
    public static func canonicalBytes(previous: String?, content: AuditEntryContent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(content.payloadText.utf8.count + 256)
        bytes.append(contentsOf: formatLabel.utf8)
        bytes.append(UInt8(ascii: "\n"))
        let fields = [
            previous ?? "",
            content.envelopeId.uuidString.lowercased(),
            String(content.occurredAtMilliseconds),
            content.tenant,
            content.runId?.uuidString.lowercased() ?? "",
            content.actor,
            content.action,
            content.payloadText,
        ]
        for field in fields {
            let utf8 = field.utf8
            bytes.append(contentsOf: String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// True when `text` has the form of a hash: 64 lowercase hexadecimal digits.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

extension AuditEntryContent {
    /// Milliseconds since the Unix epoch for `date`, rounded as the envelope's RFC 3339 form rounds.
    public static func milliseconds(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
