import Foundation
import MallCore
import Testing

@Suite("Backup archive format, manifest checks, schedule and retention")
struct BackupRulesTests {
    let epoch = Date(timeIntervalSince1970: 1_795_744_800)

    /// Parses every entry of an archive built from prefixes, data and padding, as a reader would.
    func entries(in archive: [UInt8]) throws -> [(String, [UInt8])] {
        var result: [(String, [UInt8])] = []
        var offset = 0
        var paxPath: String?
        while offset + TarFormat.blockSize <= archive.count,
              let header = try TarFormat.parse(Array(archive[offset..<(offset + TarFormat.blockSize)])) {
            offset += TarFormat.blockSize
            let data = Array(archive[offset..<(offset + Int(header.size))])
            offset += Int(header.size) + TarFormat.padding(after: header.size)
            if header.type == .paxHeader {
                paxPath = try TarFormat.paxPath(data)
            } else {
                result.append((paxPath ?? header.name, data))
                paxPath = nil
            }
        }
        return result
    }

    func archive(_ files: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, data) in files {
            bytes += TarFormat.entryPrefix(name: name, size: Int64(data.count), modified: epoch)
            bytes += data + [UInt8](repeating: 0, count: TarFormat.padding(after: Int64(data.count)))
        }
        return bytes + TarFormat.endOfArchive
    }

    @Test("short, prefixed and PAX-long names and sizes on block boundaries read back as written")
    func roundTrip() throws {
        let long = "files/" + String(repeating: "a", count: 120) + "/" + String(repeating: "b", count: 200) + ".pdf"
        let files: [(String, [UInt8])] = [
            ("database.sqlite", Array("SQLite format 3\0".utf8)),
            ("files/img/" + String(repeating: "f", count: 64) + ".png", [UInt8](repeating: 7, count: 512)),
            ("files/" + String(repeating: "p", count: 120) + "/doc.pdf", []),
            (long, [UInt8](repeating: 1, count: 1_025)),
        ]
        let read = try entries(in: archive(files))
        #expect(read.map(\.0) == files.map(\.0))
        #expect(read.map(\.1) == files.map(\.1))
    }

    @Test("property: any name of backup key characters and any size round-trip; a flipped header byte is caught by the checksum")
    func properties() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019._-")
        for _ in 0..<300 {
            let segments = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                String((0..<Int.random(in: 1...90, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            }
            let name = "files/x" + segments.joined(separator: "/")
            let data = (0..<Int.random(in: 0...1_500, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let bytes = archive([(name, data)])
            let read = try entries(in: bytes)
            #expect(read.count == 1)
            #expect(read.first?.0 == name)
            #expect(read.first?.1 == data)

            // The entry's own header is the prefix's last block; one changed name byte breaks it.
            let prefix = TarFormat.entryPrefix(name: name, size: Int64(data.count), modified: epoch)
            var header = Array(prefix.suffix(TarFormat.blockSize))
            header[Int.random(in: 0..<20, using: &random)] ^= 0x01
            #expect(throws: TarFormat.FormatError.badChecksum) { try TarFormat.parse(header) }
        }
    }

    @Test("sizes of 8 GiB and more use base-256, as GNU tar does")
    func hugeSize() throws {
        let size: Int64 = 9 * 1024 * 1024 * 1024
        let header = try #require(try TarFormat.parse(TarFormat.entryPrefix(name: "database.pgdump", size: size, modified: epoch)))
        #expect(header.size == size)
        #expect(try TarFormat.parse([UInt8](repeating: 0, count: 512)) == nil)
        #expect(throws: TarFormat.FormatError.truncated) { try TarFormat.parse([1, 2, 3]) }
    }

    func manifest() -> BackupManifest {
        BackupManifest(createdAt: epoch, database: .sqlite, entries: [
            .init(path: "database.sqlite", sizeBytes: 10, sha256: "aa"),
            .init(path: "files/img/a.png", sizeBytes: 3, sha256: "bb", contentType: "image/png"),
            .init(path: "files/video/b.mp4", sizeBytes: 4, sha256: "cc", contentType: "video/mp4"),
        ], missingFiles: [])
    }

    @Test("a complete archive has no problems; missing, changed, extra and doubled entries are each named")
    func manifestChecks() {
        let manifest = manifest()
        #expect(manifest.fileCount == 2)
        #expect(manifest.problems(observed: manifest.entries, target: .sqlite).isEmpty)
        #expect(manifest.problems(observed: manifest.entries, target: .postgres) == [.wrongDatabase(backup: .sqlite, target: .postgres)])

        var observed = manifest.entries
        observed[1].sha256 = "zz"
        observed[2].sizeBytes = 5
        observed.append(.init(path: "files/extra.txt", sizeBytes: 1, sha256: "dd"))
        observed.append(observed[0])
        #expect(manifest.problems(observed: observed, target: .sqlite) == [
            .checksumMismatch("files/img/a.png"), .sizeMismatch("files/video/b.mp4", expected: 4, actual: 5),
            .unexpected("files/extra.txt"), .duplicate("database.sqlite"),
        ])
        #expect(manifest.problems(observed: Array(manifest.entries.dropLast()), target: .sqlite) == [.missing("files/video/b.mp4")])

        var other = manifest
        other.version = 2
        #expect(other.problems(observed: manifest.entries, target: .sqlite) == [.unsupportedVersion(2)])
        other = manifest
        other.format = "something else"
        #expect(other.problems(observed: manifest.entries, target: .sqlite) == [.notABackup])
        other = manifest
        other.entries.removeFirst()
        #expect(other.problems(observed: other.entries, target: .sqlite) == [.missing("database.sqlite")])
        #expect(BackupManifest.key(forPath: "files/img/a.png") == "img/a.png")
        #expect(BackupManifest.key(forPath: "database.sqlite") == nil)
        #expect(BackupProblem.checksumMismatch("files/x").description == "files/x does not match its SHA-256 checksum in the manifest.")
    }

    @Test("a scheduled backup is due after the interval less the check's tolerance, never when the interval is 0")
    func schedule() {
        let hour: TimeInterval = 3_600
        #expect(BackupPolicy.isDue(lastBackupAt: nil, intervalHours: 24, now: epoch, tolerance: 600))
        #expect(!BackupPolicy.isDue(lastBackupAt: nil, intervalHours: 0, now: epoch, tolerance: 600))
        #expect(!BackupPolicy.isDue(lastBackupAt: epoch, intervalHours: 24, now: epoch + 23 * hour, tolerance: 600))
        #expect(BackupPolicy.isDue(lastBackupAt: epoch, intervalHours: 24, now: epoch + 24 * hour - 600, tolerance: 600))
        #expect(!BackupPolicy.isDue(lastBackupAt: epoch, intervalHours: 24, now: epoch + 24 * hour - 601, tolerance: 600))
        #expect(BackupPolicy.isDue(lastBackupAt: epoch, intervalHours: 1, now: epoch + 10 * hour, tolerance: -5))
    }

    @Test("property: retention keeps exactly the newest max(1, keep) backups, whatever the order given")
    func retention() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let backups = (0..<Int.random(in: 0...30, using: &random)).map { index in
                (name: "b\(index)", createdAt: epoch.addingTimeInterval(TimeInterval(Int.random(in: 0...20, using: &random) * 3_600)))
            }
            let keep = Int.random(in: -2...40, using: &random)
            let expired = Set(BackupPolicy.expired(backups.shuffled(using: &random), keep: keep))
            let kept = backups.filter { !expired.contains($0.name) }
            #expect(kept.count == min(backups.count, max(1, keep)))
            for old in backups where expired.contains(old.name) {
                #expect(kept.allSatisfy { ($0.createdAt, $0.name) > (old.createdAt, old.name) })
            }
        }
    }
}
