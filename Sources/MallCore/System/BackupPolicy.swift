import Foundation

/// When scheduled backups run and which old ones go (settings `backup.intervalHours` and
/// `backup.keep`).
public enum BackupPolicy {
    /// Whether a scheduled backup is due. The check runs every `tolerance` seconds, so a backup
    /// counts as due that much early: otherwise each run would start up to one check later than
    /// the last and the schedule would drift. Interval 0 turns scheduled backups off.
    public static func isDue(lastBackupAt: Date?, intervalHours: Int, now: Date, tolerance: TimeInterval) -> Bool {
        guard intervalHours > 0 else { return false }
        guard let lastBackupAt else { return true }
        return now.timeIntervalSince(lastBackupAt) >= Double(intervalHours) * 3_600 - max(0, tolerance)
    }

    /// The backups to delete so that the `keep` newest remain (at least one is always kept, so
    /// the backup just made never goes). Ties in time fall back to the name, so the answer does
    /// not depend on the order given.
    public static func expired(_ backups: [(name: String, createdAt: Date)], keep: Int) -> [String] {
        let newestFirst = backups.sorted { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }
        return newestFirst.dropFirst(max(1, keep)).map(\.name)
    }
}
