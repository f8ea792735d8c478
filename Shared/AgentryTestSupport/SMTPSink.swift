import Foundation

/// A local SMTP server (Python's aiosmtpd) run as a subprocess, for tests that send email.
///
/// Each message it accepts is decoded by Python's own `email` package (an independent MIME
/// implementation) and written as JSON into a directory before the server answers `250`.
public final class SMTPSink {
    /// One delivered message as the sink decoded it.
    public struct Delivery: Decodable, Sendable {
        public let mailFrom: String
        public let rcptTos: [String]
        public let headers: [String: String]
        public let contentType: String
        public let text: String?
        public let html: String?
        public let raw: String
        public let login: String?

        enum CodingKeys: String, CodingKey {
            case mailFrom = "mail_from", rcptTos = "rcpt_tos", headers, contentType = "content_type"
            case text, html, raw, login
        }
    }

    public let port: Int
    private let process: Process
    private let input: Pipe
    private let directory: URL

    static let script = #"""
    import asyncio, email, json, os, signal, sys
    from email import policy
    from aiosmtpd.smtp import SMTP, AuthResult

    out = sys.argv[1]
    USER, PASSWORD = b"agentry", b"s3cret"

    def authenticate(server, session, envelope, mechanism, data):
        ok = getattr(data, "login", None) == USER and getattr(data, "password", None) == PASSWORD
        return AuthResult(success=ok, handled=False, auth_data=data)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            raw = envelope.original_content or envelope.content
            msg = email.message_from_bytes(raw, policy=policy.default)
            text = msg.get_body(preferencelist=("plain",))
            html = msg.get_body(preferencelist=("html",))
            login = session.login_data.decode() if session.login_data is not None else None
            record = {
                "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "headers": {k: str(v) for k, v in msg.items()},
                "content_type": msg.get_content_type(),
                "text": text.get_content() if text is not None else None,
                "html": html.get_content() if html is not None and html is not text else None,
                "raw": raw.decode("ascii", "replace"), "login": login,
            }
            path = os.path.join(out, "message-%d.json" % len([f for f in os.listdir(out) if f.startswith("message")]))
            with open(path + ".tmp", "w") as f:
                json.dump(record, f)
            os.rename(path + ".tmp", path)
            return "250 OK delivered"

    async def main():
        # The spawning thread may have blocked signals; let SIGTERM end this process.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, range(1, signal.NSIG))
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), authenticator=authenticate, auth_require_tls=False),
            "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with open(os.path.join(out, "port.tmp"), "w") as f:
            f.write(str(port))
        os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
        # Exit when the test closes stdin, or dies.
        await loop.run_in_executor(None, sys.stdin.buffer.read)
        os._exit(0)

    asyncio.run(main())
    """#

    /// Starts the sink and waits (with a deadline) until it listens.
    public static func start() async throws -> SMTPSink {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentry-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptURL = directory.appendingPathComponent("sink.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, directory.path]
        let log = directory.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        let input = Pipe()
        process.standardInput = input
        try process.run()
        let portFile = directory.appendingPathComponent("port")
        do {
            try await eventually("the SMTP sink listens", timeout: .seconds(20)) {
                guard process.isRunning else {
                    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    throw SMTPSinkFailure(description: "the SMTP sink exited (is aiosmtpd installed?): \(output)")
                }
                return FileManager.default.fileExists(atPath: portFile.path)
            }
        } catch {
            try? input.fileHandleForWriting.close()
            process.terminate()
            throw error
        }
        guard let port = Int(try String(contentsOf: portFile, encoding: .utf8)) else {
            try? input.fileHandleForWriting.close()
            process.terminate()
            throw SMTPSinkFailure(description: "the SMTP sink wrote no port")
        }
        return SMTPSink(port: port, process: process, input: input, directory: directory)
    }

    private init(port: Int, process: Process, input: Pipe, directory: URL) {
        self.port = port
        self.process = process
        self.input = input
        self.directory = directory
    }

    /// The messages delivered so far, in order.
    public func deliveries() throws -> [Delivery] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }
            .sorted { Int($0.dropFirst(8).dropLast(5)) ?? 0 < Int($1.dropFirst(8).dropLast(5)) ?? 0 }
        return try names.map {
            try JSONDecoder().decode(Delivery.self, from: Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    /// Ends the subprocess (end of input, then SIGTERM, then SIGKILL if it lingers) and waits until
    /// it has exited, then removes its directory.
    public func stop() async throws {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        do {
            try await eventually("the SMTP sink exited", timeout: .seconds(30)) { !process.isRunning }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            try await eventually("the SMTP sink exited after SIGKILL", timeout: .seconds(30)) { !process.isRunning }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The SMTP sink could not start.
public struct SMTPSinkFailure: Error, CustomStringConvertible {
    public let description: String
}
