import Foundation
import MallAPI
import MallCore
import Vapor

/// Backups for HQ from the console: make one, list them, download one. Restoring replaces the
/// running database and files and stays a command (`chainmall restore FILE`, server stopped). A
/// backup copies every account's data and files, so all three need `settings.manage` on the
/// platform scope.
struct BackupRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let backups = routes.grouped("backups")
        backups.get(use: list)
        backups.post(use: create)
        backups.get(":name", use: download)
    }

    func list(req: Request) async throws -> [BackupFile] {
        try req.authorize(.settingsManage, on: .platform)
        return try await BackupService.list(config: req.application.config)
    }

    /// Made inline: on the demo data, files included, it takes about a second, so a job would
    /// only add a wait and a poll. Scheduled backups run as a job (`backup.intervalHours`).
    func create(req: Request) async throws -> Response {
        try req.authorize(.settingsManage, on: .platform)
        let file = try await BackupService.create(app: req.application, now: req.now, audit: req.audit)
        return try Response.json(file, status: .created)
    }

    func download(req: Request) async throws -> Response {
        try req.authorize(.settingsManage, on: .platform)
        let name = req.parameters.get("name") ?? ""
        guard let path = BackupService.path(config: req.application.config, name: name) else { throw MallError.notFound("No such backup.") }
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.replaceOrAdd(name: .contentType, value: name.hasSuffix(".tar") ? "application/x-tar" : "application/octet-stream")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return response
    }
}
