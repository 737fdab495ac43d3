import Foundation

/// Finds the folder that holds `Resources/` (templates, message catalogs) and `Public/` (CSS,
/// JavaScript, icons). A service manager may start the binary from any working directory, so
/// the working directory is only one of the places looked at.
enum WebResources {
    static func locateRoot(configured: String?) -> String {
        if let configured { return configured }
        let fileManager = FileManager.default
        func holdsViews(_ folder: String) -> Bool {
            fileManager.fileExists(atPath: folder + "/Resources/Views")
        }
        let workingDirectory = fileManager.currentDirectoryPath
        if holdsViews(workingDirectory) { return workingDirectory }
        // `.build/<triple>/<configuration>/chainmall` or an installed `<prefix>/bin/chainmall`:
        // walk up from the executable until a folder with the templates appears.
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? workingDirectory).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            if holdsViews(folder.path) { return folder.path }
            if holdsViews(folder.path + "/share/chainmall") { return folder.path + "/share/chainmall" }
            folder.deleteLastPathComponent()
        }
        return workingDirectory
    }
}
