import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

extension StoreIntegrationTests {
    /// The migrator and the initial schema's guarantees.
    @Suite struct Migrations {
        /// Tables, columns, constraints, indexes, triggers and functions of the public schema, as text.
        static func fingerprint(_ client: PostgresClient) async throws -> String {
            let rows = try await client.query("""
                SELECT x FROM (
                    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
                           || coalesce(column_default, '') || ' ' || is_nullable
                    FROM information_schema.columns WHERE table_schema = 'public'
                    UNION ALL
                    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                    UNION ALL
                    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
                    UNION ALL
                    SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgtype
                    FROM pg_trigger WHERE NOT tgisinternal
                    UNION ALL
                    SELECT 'function ' || proname || ' ' || md5(prosrc)
                    FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                    UNION ALL
                    SELECT 'privilege ' || grantee || ' ' || table_name || ' ' || privilege_type
                    FROM information_schema.table_privileges WHERE table_schema = 'public'
                ) AS catalog(x) ORDER BY x
                """)
            return try rows.map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        }

        static func recorded(_ client: PostgresClient) async throws -> [String] {
            try await client.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
                .map { row in
                    let (version, name, checksum, appliedAt) = try row.decode((Int, String, String, Date).self)
                    return "\(version) \(name) \(checksum) \(appliedAt.timeIntervalSince1970)"
                }
        }

        @Test func migratingTwiceChangesNothing() async throws {
            try await StoreFixture.withFreshDatabase { client, _ in
                let migrator = Migrator(client: client, logger: StoreFixture.logger)
                let bundled = try Migration.bundled()
                let applied = try await migrator.migrate()
                #expect(applied == bundled)
                let fingerprint = try await Self.fingerprint(client)
                let recorded = try await Self.recorded(client)
                #expect(fingerprint.contains("table_name") == false)
                #expect(fingerprint.contains("column runs.status text"))
                #expect(fingerprint.contains("trigger audit_log audit_log_no_truncate"))
                #expect(recorded.count == bundled.count)
                #expect(try await migrator.appliedVersions() == Dictionary(
                    uniqueKeysWithValues: bundled.map { ($0.version, $0.checksum) }))

                let again = try await migrator.migrate()
                #expect(again.isEmpty)
                #expect(try await Self.fingerprint(client) == fingerprint)
                #expect(try await Self.recorded(client) == recorded)
                // This database's advisory locks only: other suites run on the same server meanwhile.
                let locks = try await client.query("""
                    SELECT count(*) FROM pg_locks
                    WHERE locktype = 'advisory'
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """)
                #expect(try locks.first?.decode(Int.self, at: 0) == 0)
            }
        }

        @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
            try await StoreFixture.withFreshDatabase(poolSize: 4) { client, configuration in
                let other = PostgresClient(configuration: configuration, logger: StoreFixture.logger)
                async let first = Migrator(client: client).migrate()
                async let second = Migrator(client: other).migrate()
                let (a, b) = try await (first, second)
                await other.close()
                #expect(a.count + b.count == (try Migration.bundled()).count)
                #expect(a.isEmpty || b.isEmpty)
            }
        }

        @Test func changedMigrationIsRefusedAndFailedMigrationRollsBack() async throws {
            try await StoreFixture.withFreshDatabase { client, _ in
                let original = [Migration(version: 1, name: "first", sql: "CREATE TABLE first (id int);")]
                try await Migrator(client: client, migrations: original).migrate()

                let changed = [Migration(version: 1, name: "first", sql: "CREATE TABLE first (id bigint);"),
                               Migration(version: 2, name: "second", sql: "CREATE TABLE second (id int);")]
                let refused = try await StoreFixture.postgresError {
                    try await Migrator(client: client, migrations: changed).migrate()
                }
                #expect(refused.code == .migration)
                #expect(refused.message.contains("was changed"))
                let second = try await client.query("SELECT to_regclass('second') IS NULL")
                    .first?.decode(Bool.self, at: 0)
                #expect(second == true)

                let broken = original + [Migration(version: 2, name: "broken", sql: """
                    CREATE TABLE half (id int);
                    INSERT INTO nowhere VALUES (1);
                    """)]
                let failed = try await StoreFixture.postgresError {
                    try await Migrator(client: client, migrations: broken).migrate()
                }
                #expect(failed.code == .migration)
                #expect(failed.sqlState == "42P01")
                let half = try await client.query("SELECT to_regclass('half') IS NULL").first?.decode(Bool.self, at: 0)
                #expect(half == true)
                #expect(try await Migrator(client: client).appliedVersions().keys.sorted() == [1])
            }
        }

        @Test func auditLogIsAppendOnly() async throws {
            try await StoreFixture.withFreshDatabase { client, _ in
                try await Migrator(client: client).migrate()
                let envelope = UUID()
                let inserted = try await client.execute("""
                    INSERT INTO audit_log (envelope_id, occurred_at, tenant, actor, action, payload, prev_hash, hash)
                    VALUES (\(envelope), \(Date()), \("acme"), \("director"), \("run.requested"),
                            \(PostgresRawJSON(#"{"a":1}"#)), \(nil as String?), \("abc123"))
                    """)
                #expect(inserted == 1)

                for statement: PostgresQuery in [
                    "UPDATE audit_log SET action = 'forged'",
                    "DELETE FROM audit_log WHERE envelope_id = \(envelope)",
                    "TRUNCATE audit_log",
                ] {
                    let refused = try await StoreFixture.postgresError { try await client.execute(statement) }
                    #expect(refused.sqlState == "42501", "\(statement.sql)")
                    #expect(refused.message.contains("audit_log is append-only"), "\(statement.sql)")
                }
                let refusedInTransaction = try await StoreFixture.postgresError {
                    _ = try await client.withTransaction { connection in
                        try await connection.execute("UPDATE audit_log SET hash = 'x'")
                    }
                }
                #expect(refusedInTransaction.sqlState == "42501")

                let rows = try await client.query("SELECT action, hash FROM audit_log")
                #expect(rows.count == 1)
                let (action, hash) = try #require(rows.first).decode((String, String).self)
                #expect(action == "run.requested")
                #expect(hash == "abc123")
            }
        }

        @Test func schemaConstraintsHold() async throws {
            try await StoreFixture.withFreshDatabase { client, _ in
                try await Migrator(client: client).migrate()
                let run = UUID()
                try await client.execute("""
                    INSERT INTO runs (id, tenant, source, external_event_id, request)
                    VALUES (\(run), 'acme', 'slack', 'Ev1', 'summarise incidents')
                    """)
                let duplicate = try await StoreFixture.postgresError {
                    try await client.execute("""
                        INSERT INTO runs (id, tenant, source, external_event_id, request)
                        VALUES (\(UUID()), 'acme', 'slack', 'Ev1', 'again')
                        """)
                }
                #expect(duplicate.isUniqueViolation)
                #expect(duplicate.constraintName == "runs_external_event_unique")

                let badStatus = try await StoreFixture.postgresError {
                    try await client.execute("UPDATE runs SET status = 'exploded' WHERE id = \(run)")
                }
                #expect(badStatus.isCheckViolation)

                let orphan = try await StoreFixture.postgresError {
                    try await client.execute("""
                        INSERT INTO steps (run_id, step_id, specialist, tool) VALUES (\(UUID()), 'a', 'data', 'sql')
                        """)
                }
                #expect(orphan.isForeignKeyViolation)

                try await client.execute("INSERT INTO workflows (name, version, definition) VALUES ('w', 1, '{}')")
                let edit = try await StoreFixture.postgresError {
                    try await client.execute("UPDATE workflows SET definition = '{\"x\":1}' WHERE name = 'w'")
                }
                #expect(edit.message.contains("immutable"))
                try await client.execute("INSERT INTO workflows (name, version, definition) VALUES ('w', 2, '{}')")

                let role = try await StoreFixture.postgresError {
                    try await client.execute("""
                        INSERT INTO api_keys (id, name, key_hash, prefix, role)
                        VALUES (\(UUID()), 'k', 'h', 'p', 'root')
                        """)
                }
                #expect(role.isCheckViolation)
            }
        }
    }
}
