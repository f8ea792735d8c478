import Foundation
import Testing
@testable import AgentryStore

@Suite struct MigrationTests {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func bundledMigrationsAreNumberedFromOne() throws {
        let migrations = try Migration.bundled()
        let first = try #require(migrations.first)
        #expect(first.version == 1)
        #expect(first.name == "initial")
        #expect(migrations.map(\.version) == Array(1...migrations.count))
        #expect(first.sql.contains("CREATE TABLE audit_log"))
        #expect(first.checksum.count == 64)
    }

    @Test func checksumIgnoresLineEndingStyle() {
        #expect(Migration(version: 1, name: "a", sql: "SELECT 1;\nSELECT 2;\n").checksum
                == Migration(version: 1, name: "a", sql: "SELECT 1;\r\nSELECT 2;\r\n").checksum)
        #expect(Migration(version: 1, name: "a", sql: "SELECT 1;").checksum
                != Migration(version: 1, name: "a", sql: "SELECT 2;").checksum)
    }

    @Test func loadsOrderedFilesAndRejectsDuplicateVersions() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ text: String, _ name: String) throws {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("SELECT 2;", "0002_second.sql")
        try write("SELECT 1;", "0001_first.sql")
        try write("notes", "README.md")
        let migrations = try Migration.load(from: directory)
        #expect(migrations.map(\.name) == ["first", "second"])
        try write("SELECT 3;", "0002_again.sql")
        #expect(throws: PostgresError.self) { try Migration.load(from: directory) }
    }
}
