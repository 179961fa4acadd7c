internal import ArgumentParser
internal import Foundation
internal import MeshesStores
internal import SharedCore
internal import SharedPlatform

/// `meshes migrate`: copies the embedded SQLite store into PostgreSQL (`StoreMigration` does the work).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the embedded SQLite store into PostgreSQL: every row, sealed secrets re-sealed, resumable, verified.",
        discussion: """
            Copies table by table in batches, each committed in PostgreSQL together with the copy's progress, keeping \
            ids, seq keys and timestamps; then moves PostgreSQL's seq generators past the copied keys and checks that \
            every table holds as many rows as the source. Stop every process using the SQLite store first. Secrets are \
            opened with the source's key (its master.key, else MESHES_MASTER_KEY, or MESHES_SOURCE_MASTER_KEY when \
            set) and sealed again with MESHES_MASTER_KEY, which the PostgreSQL store needs. \
            An interrupted copy (crash, Ctrl-C, kill -9) resumes when started again with the same arguments. A target \
            that holds other meshes data is refused; --force empties its meshes tables first (said on stderr). \
            Exit codes: 0 copied and verified, 1 the counts differ (MIGRATION_VERIFICATION_FAILED), 2 refused or \
            failed (configuration, connection, non-empty target; a started copy resumes).
            """)

    @Option(help: "The SQLite store to copy (default: $MESHES_DB when it is a file, else .meshes/meshes.db).")
    var from: String?
    @Option(help: "The PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=…].")
    var to: String
    @Flag(help: "Empty the target's meshes tables when they hold other data, instead of refusing.")
    var force = false
    @Option(help: "Rows per batch (1..10000); each batch is one PostgreSQL transaction.")
    var batchSize = MigrationOptions.defaultBatchSize
    @Flag(help: "No progress bar (it is shown only when stderr is a terminal).")
    var noProgress = false
    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        let environment = ProcessEnvironment.current
        var options = MigrationOptions(
            from: MigrationOptions.defaultSource(flag: from, environment: environment), to: to, environment: environment)
        options.force = force
        options.batchSize = batchSize
        if let text = environment["MESHES_MIGRATE_FAULT"] {
            guard let fault = MigrationFault.parse(text, halt: { _ = kill(getpid(), SIGKILL) }) else {
                standardError("error: MESHES_MIGRATE_FAULT must look like kill-after-batches:3\n")
                throw ExitCode(2)
            }
            options.fault = fault
        }
        let terminal = TerminalProgress(disabled: noProgress)
        let summary: MigrationSummary
        do {
            summary = try await StoreMigration(options: options).run(
                progress: { reading in terminal.show(reading.bar) }, notice: { text in standardError("note: \(text)\n") })
        } catch let error as ToolError {
            terminal.finish()
            standardError("error: \(error.code): \(error.message)\n")
            throw ExitCode(error.code == MigrationErrorCode.verificationFailed ? 1 : 2)
        } catch {
            terminal.finish()
            standardError("error: \(error)\n")
            throw ExitCode(2)
        }
        terminal.finish()
        print(json ? JSONEmitter.pretty(summary.json) : summary.text)
    }
}
