import AgentryContracts
import Crypto
import Foundation

/// Where run ids come from.
///
/// A request that names its source event (`externalEventId`) gets a name-based id: the first 16
/// bytes of SHA-256 over `tenant|source|externalEventId`, with the RFC 4122 version 5 layout
/// (version nibble `5`, variant bits `10`). The same event delivered twice therefore carries the
/// same run id, which together with the director's de-duplication on
/// `(tenant, source, external_event_id)` makes it one run. Other requests get a random id.
///
/// Tenants cannot contain `|` and sources are fixed words, so distinct triples never hash the
/// same text.
enum RunIdentity {
    /// The run id for a request.
    static func runId(tenant: String, source: RunSource, externalEventId: String?) -> UUID {
        guard let externalEventId else { return UUID() }
        return nameBased("\(tenant)|\(source.rawValue)|\(externalEventId)")
    }

    /// A version-5-layout UUID from the SHA-256 of `name`.
    static func nameBased(_ name: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
