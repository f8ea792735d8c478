import Foundation
import AgentryChannels
import AgentryContracts
import AgentryHTTP
import AgentryRuntime

/// `email.send` {to, subject, body}: sends a plain-text email. `to` is one address, several
/// separated by commas or semicolons, or an array of addresses.
struct EmailSendTool: WorkerTool {
    let name = "email.send"
    let deliverer: any MessageDeliverer

    func run(_ request: ToolRequest) async throws -> JSONValue {
        try await CommWorker.deliver(.email(try Self.message(from: request)), for: request, deliverer: deliverer)
    }

    /// The email the step's input describes, or an `invalid_input` failure.
    static func message(from request: ToolRequest) throws -> EmailMessage {
        let recipients = try Self.recipients(request.input["to"])
        // A subject is one header line: line breaks in it become spaces.
        let subject = try request.string("subject")
            .split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        guard !subject.isEmpty else { throw CommWorker.invalidInput("input.subject must be a non-empty string") }
        return EmailMessage(to: recipients, subject: subject, body: try request.string("body"))
    }

    static func recipients(_ value: JSONValue?) throws -> [String] {
        let candidates: [String]
        switch value {
        case .string(let text)?:
            candidates = text.split(whereSeparator: { $0 == "," || $0 == ";" }).map(String.init)
        case .array(let elements)?:
            candidates = try elements.map {
                guard let address = $0.stringValue else {
                    throw CommWorker.invalidInput("input.to must be an address or an array of addresses")
                }
                return address
            }
        default:
            throw CommWorker.invalidInput("input.to must be an address or an array of addresses")
        }
        let addresses = candidates.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !addresses.isEmpty else { throw CommWorker.invalidInput("input.to names no recipient") }
        guard addresses.count <= EmailMessage.maxRecipients else {
            throw CommWorker.invalidInput(
                "input.to names \(addresses.count) recipients; at most \(EmailMessage.maxRecipients)")
        }
        if let invalid = addresses.first(where: { !MailAddress($0).isValid }) {
            throw CommWorker.invalidInput("input.to: \(invalid.debugDescription) is not an email address")
        }
        return addresses
    }
}
