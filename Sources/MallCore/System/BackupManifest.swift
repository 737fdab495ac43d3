import Foundation

/// The table of contents of a backup archive, its last entry: every other entry with its size
/// and SHA-256, so a restore can tell a complete, untouched backup from a damaged one before it
/// replaces anything.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let formatName = "chainmall-backup"
    public static let currentVersion = 1
    public static let entryName = "manifest.json"
    public static let filesFolder = "files/"
    /// A manifest is read whole; one for a million files stays well below this.
    public static let maxBytes: Int64 = 256 * 1024 * 1024

    public struct Entry: Codable, Sendable, Equatable {
        /// The archive path: `database.sqlite`, `database.pgdump` or `files/<storage key>`.
        public var path: String
        public var sizeBytes: Int64
        /// Lower-case hex.
        public var sha256: String
        /// For files: what the storage is told on restore (an S3 bucket keeps it).
        public var contentType: String?
        public init(path: String, sizeBytes: Int64, sha256: String, contentType: String? = nil) {
            self.path = path
            self.sizeBytes = sizeBytes
            self.sha256 = sha256
            self.contentType = contentType
        }
    }

    public enum DatabaseKind: String, Codable, Sendable {
        case sqlite, postgres
        /// The database entry's archive path.
        public var entryPath: String { self == .sqlite ? "database.sqlite" : "database.pgdump" }
    }

    public var format: String
    public var version: Int
    public var createdAt: Date
    public var database: DatabaseKind
    public var entries: [Entry]
    /// Keys the database names that file storage did not have when the backup was made.
    public var missingFiles: [String]

    public init(createdAt: Date, database: DatabaseKind, entries: [Entry], missingFiles: [String]) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.createdAt = createdAt
        self.database = database
        self.entries = entries
        self.missingFiles = missingFiles
    }

    public var fileCount: Int { entries.count { $0.path.hasPrefix(Self.filesFolder) } }

    public static func path(forKey key: String) -> String { filesFolder + key }

    /// The storage key an archive path stands for, nil for the database and the manifest.
    public static func key(forPath path: String) -> String? {
        path.hasPrefix(filesFolder) ? String(path.dropFirst(filesFolder.count)) : nil
    }

    /// What makes an archive unfit to restore into a `target` installation, given the entries
    /// as read (in archive order, without the manifest): empty when it is complete and untouched.
    public func problems(observed: [Entry], target: DatabaseKind) -> [BackupProblem] {
        guard format == Self.formatName else { return [.notABackup] }
        guard version == Self.currentVersion else { return [.unsupportedVersion(version)] }
        var problems: [BackupProblem] = []
        if database != target { problems.append(.wrongDatabase(backup: database, target: target)) }
        let expected = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        if !entries.contains(where: { $0.path == database.entryPath }) { problems.append(.missing(database.entryPath)) }
        var seen = Set<String>()
        for entry in observed {
            guard seen.insert(entry.path).inserted else { problems.append(.duplicate(entry.path)); continue }
            guard let listed = expected[entry.path] else { problems.append(.unexpected(entry.path)); continue }
            if listed.sizeBytes != entry.sizeBytes {
                problems.append(.sizeMismatch(entry.path, expected: listed.sizeBytes, actual: entry.sizeBytes))
            } else if listed.sha256 != entry.sha256 {
                problems.append(.checksumMismatch(entry.path))
            }
        }
        for entry in entries where !seen.contains(entry.path) { problems.append(.missing(entry.path)) }
        return problems
    }
}

/// One reason a backup archive cannot be restored; the description is an English sentence for
/// the operator running `chainmall restore`.
public enum BackupProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case notABackup
    case noManifest
    case unreadable(String)
    case unsupportedVersion(Int)
    case wrongDatabase(backup: BackupManifest.DatabaseKind, target: BackupManifest.DatabaseKind)
    case missing(String)
    case unexpected(String)
    case duplicate(String)
    case sizeMismatch(String, expected: Int64, actual: Int64)
    case checksumMismatch(String)

    public var description: String {
        switch self {
        case .notABackup: "The archive is not a ChainMall backup."
        case .noManifest: "The archive has no manifest.json: it is incomplete or was not made by chainmall backup."
        case .unreadable(let reason): "The archive is damaged or incomplete: \(reason)."
        case .unsupportedVersion(let version): "The backup's format version \(version) is not one this server can restore."
        case .wrongDatabase(let backup, let target): "The backup holds a \(backup.rawValue) database but this installation uses \(target.rawValue)."
        case .missing(let path): "\(path) is listed in the manifest but missing from the archive."
        case .unexpected(let path): "\(path) is in the archive but not in the manifest."
        case .duplicate(let path): "\(path) appears twice in the archive."
        case .sizeMismatch(let path, let expected, let actual): "\(path) has \(actual) bytes where the manifest says \(expected)."
        case .checksumMismatch(let path): "\(path) does not match its SHA-256 checksum in the manifest."
        }
    }
}
