import Fluent
import Foundation
import Vapor

/// `chainmall seed --demo`: loads the demo data into a migrated database.
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "demo", help: "Load the demo merchants, stores, staff and members")
        var demo: Bool
    }

    var help: String { "Loads data into the database (use --demo for the demo data set)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.demo else {
            context.console.error("Nothing to seed: pass --demo.")
            throw ExitCode.failure
        }
        try await context.application.migrateExclusively()
        let accounts = try await DemoSeeder(app: context.application).run()
        context.console.print(DemoSeeder.describe(accounts, baseURL: "http://127.0.0.1:8080"))
    }
}

/// `chainmall backup [--output FILE]`: a consistent copy of the database.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", short: "o", help: "Where to write the backup (default data/backups/chainmall-<time>.sqlite or .pgdump)")
        var output: String?
    }

    var help: String { "Writes a consistent backup of the database while the server may keep running." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let path = signature.output ?? BackupService.defaultPath(config: app.config, now: Date())
        try await BackupService.backup(app: app, to: path)
        context.console.print("Backup written to \(path)")
    }
}

/// `chainmall restore FILE`: replaces the database with a backup. Stop the server first.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A file written by `chainmall backup`")
        var file: String
    }

    var help: String { "Replaces the database with a backup made by `chainmall backup`. Stop the server first." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        // Close pooled connections before the file or schema underneath them changes.
        await app.databases.shutdownAsync()
        try await BackupService.restore(config: app.config, from: signature.file)
        context.console.print("Restored \(signature.file)")
    }
}

struct ExitCode: Error {
    static let failure = ExitCode()
}
