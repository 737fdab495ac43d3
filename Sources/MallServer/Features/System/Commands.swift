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

/// `chainmall backup [--output FILE]`: a consistent copy of the database with the uploaded files.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", short: "o", help: "Where to write the backup (default data/backups/chainmall-<time>.tar)")
        var output: String?
    }

    var help: String { "Writes a backup of the database and the uploaded files it names while the server may keep running." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let path = signature.output ?? BackupService.defaultPath(config: app.config, now: app.clock.now())
        do {
            let manifest = try await BackupService.backup(app: app, to: path)
            context.console.print("Backup written to \(path): the database and \(manifest.fileCount) files")
            if !manifest.missingFiles.isEmpty {
                context.console.warning("\(manifest.missingFiles.count) files named in the database were not in file storage (listed in the manifest)")
            }
        } catch let error as BackupError {
            context.console.error("Backup failed: \(error)")
            throw ExitCode.failure
        }
    }
}

/// `chainmall restore FILE`: replaces the database and puts back the files of a backup. Stop
/// the server first.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A file written by `chainmall backup`")
        var file: String
    }

    var help: String {
        "Checks a backup made by `chainmall backup` against its manifest, then replaces the database and restores the files. Stop the server first."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        // Close pooled connections before the file or schema underneath them changes.
        await app.databases.shutdownAsync()
        do {
            guard let manifest = try await BackupService.restoreDatabase(config: app.config, from: signature.file) else {
                context.console.print("Restored the database from \(signature.file) (a database-only backup)")
                return
            }
            // File storage may keep its index in the database (FastDFS), so the files go in
            // through an application opened on the restored database.
            let restored = try await Application.make(app.environment)
            do {
                try await configure(restored, config: app.config)
                let count = try await BackupService.restoreFiles(from: signature.file, manifest: manifest, into: restored.fileStorage)
                try await restored.asyncShutdown()
                context.console.print("Restored the database and \(count) files from \(signature.file)")
            } catch {
                try? await restored.asyncShutdown()
                throw error
            }
        } catch let error as BackupError {
            context.console.error("Restore failed: \(error)")
            throw ExitCode.failure
        }
    }
}

/// A command that has already told the operator what went wrong: the process exits with status
/// 1 without a crash report (the entry point catches it).
public struct ExitCode: Error {
    public static let failure = ExitCode()
}
