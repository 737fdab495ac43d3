import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Tests/fakes/fake_fastdfs.py as a child process: a tracker and a storage server on 127.0.0.1
/// that stop when their standard input closes.
final class FakeFastDFS: @unchecked Sendable {
    let process: ChildProcess
    let trackerPort: Int
    let recordPath: String

    init(mode: String = "normal", ipWidth: Int = 45) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fakes/fake_fastdfs.py").path
        recordPath = FileManager.default.temporaryDirectory.path + "/fastdfs-\(UUID().uuidString).jsonl"
        process = try ChildProcess("python3", [script, "--record", recordPath, "--mode", mode, "--ip-width", String(ipWidth)],
                                   pipeInput: true, pipeOutput: true)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")), let chunk = process.output?.availableData, !chunk.isEmpty {
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.count == 3, words[0] == "READY", let port = Int(words[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            _ = kill(process.pid, SIGKILL)
            throw FastDFSError.connectionClosed("the fake did not start: \(String(decoding: line, as: UTF8.self))")
        }
        trackerPort = port
    }

    var config: FastDFSConfig { get throws { try FastDFSConfig(parsing: "127.0.0.1:\(trackerPort)", timeoutSeconds: 2) } }

    /// The request packets the fake received, as (command, hex).
    func recorded() throws -> [(command: Int, hex: String)] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let packet = try JSONDecoder().decode(RecordedPacket.self, from: Data(line.utf8))
            return (packet.command, packet.hex)
        }
    }

    /// Closing its standard input ends the fake; it is reaped within a few seconds or killed.
    func stop() {
        try? process.input?.close()
        for _ in 0..<300 where process.isRunning { usleep(10_000) }
        if process.isRunning {
            _ = kill(process.pid, SIGKILL)
            for _ in 0..<100 where process.isRunning { usleep(10_000) }
        }
        try? FileManager.default.removeItem(atPath: recordPath)
    }

    struct RecordedPacket: Decodable {
        var command: Int
        var hex: String
    }
}

/// What `Tests/vectors/make_fastdfs_vectors.py` recorded from PyPI's fastdfs-client.
struct FastDFSVectors: Decodable {
    struct Packet: Decodable {
        var step: String
        var command: Int
        var hex: String
    }

    struct ByteRange: Decodable {
        var offset: UInt64
        var length: UInt64
    }

    var data: String
    var fileId: String
    var range: ByteRange
    var packets: [Packet]

    static func load() throws -> FastDFSVectors {
        try JSONDecoder().decode(FastDFSVectors.self, from: try FixtureFiles.data("fastdfs_vectors.json"))
    }

    func hex(_ step: String, command: Int) throws -> String {
        try #require(packets.first { $0.step == step && $0.command == command }).hex
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite("FastDFS wire protocol")
struct FastDFSProtocolTests {
    @Test("requests are byte for byte what PyPI's fastdfs-client sends")
    func requestsMatchThePythonClient() throws {
        let vectors = try FastDFSVectors.load()
        let file = try #require(FastDFSFileId(parsing: vectors.fileId))
        let data = Array(vectors.data.utf8)
        #expect(hex(FastDFSProtocol.queryStore()) == (try vectors.hex("upload", command: 101)))
        #expect(hex(FastDFSProtocol.uploadPrefix(storePathIndex: 0, byteCount: data.count, fileExtension: "txt") + data)
                    == (try vectors.hex("upload", command: 11)))
        #expect(hex(FastDFSProtocol.query(.queryFetchOne, file: file)) == (try vectors.hex("download", command: 102)))
        #expect(hex(FastDFSProtocol.download(file, offset: 0, length: 0)) == (try vectors.hex("download", command: 14)))
        #expect(hex(FastDFSProtocol.download(file, offset: vectors.range.offset, length: vectors.range.length))
                    == (try vectors.hex("ranged download", command: 14)))
        #expect(hex(FastDFSProtocol.query(.queryUpdate, file: file)) == (try vectors.hex("delete", command: 103)))
        #expect(hex(FastDFSProtocol.delete(file)) == (try vectors.hex("delete", command: 12)))
    }

    @Test("the header is an 8-byte big-endian body length, the command and the status")
    func header() throws {
        let header = FastDFSProtocol.Header(bodyLength: 0x0102_0304_0506_0708, command: 100, status: 2)
        #expect(header.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 100, 2])
        #expect(FastDFSProtocol.Header(header.bytes) == header)
        #expect(FastDFSProtocol.Header([UInt8](repeating: 0, count: 9)) == nil, "nine bytes are not a header yet")
    }

    @Test("tracker replies with 15-byte (before 6.12) and 45-byte (IPv6) address fields both parse")
    func trackerReplies() throws {
        for width in [15, 45] {
            let server = FastDFSProtocol.padded("group2", to: 16) + FastDFSProtocol.padded("10.1.2.3", to: width) + FastDFSProtocol.bigEndian(23000)
            #expect(try FastDFSProtocol.parseStoreReply(server + [3])
                        == FastDFSProtocol.StorageServer(group: "group2", host: "10.1.2.3", port: 23000, storePathIndex: 3))
            #expect(try FastDFSProtocol.parseFetchReply(server)
                        == FastDFSProtocol.StorageServer(group: "group2", host: "10.1.2.3", port: 23000, storePathIndex: 0))
        }
    }

    @Test("hostile tracker replies are errors, never traps", arguments: [
        [], [UInt8](repeating: 0xFF, count: 40), [UInt8](repeating: 0, count: 39 + 1),
        FastDFSProtocol.padded("group1", to: 16) + FastDFSProtocol.padded("10.0.0.1", to: 15) + FastDFSProtocol.bigEndian(0) + [0],
        FastDFSProtocol.padded("group1", to: 16) + FastDFSProtocol.padded("10.0.0.1", to: 15) + FastDFSProtocol.bigEndian(.max) + [0],
        FastDFSProtocol.padded("g/../x", to: 16) + FastDFSProtocol.padded("10.0.0.1", to: 15) + FastDFSProtocol.bigEndian(23000) + [0],
        FastDFSProtocol.padded("group1", to: 16) + FastDFSProtocol.padded("", to: 15) + FastDFSProtocol.bigEndian(23000) + [0],
        [UInt8](repeating: 0x41, count: 69),
    ])
    func hostileTrackerReplies(body: [UInt8]) {
        #expect(throws: FastDFSError.self) { try FastDFSProtocol.parseStoreReply(body) }
        #expect(throws: FastDFSError.self) { try FastDFSProtocol.parseFetchReply(Array(body.dropLast())) }
    }

    @Test("upload replies must name a safe file id", arguments: ["", "M00", "M00/", "../../etc/passwd", "M00/00/../../x", "MZZ/00/00/a.txt",
                                                                 "M00/00/00/a b.txt", "M00/00/00/\u{0}"])
    func hostileUploadReplies(path: String) {
        let body = FastDFSProtocol.padded("group1", to: 16) + Array(path.utf8)
        #expect(throws: FastDFSError.self) { try FastDFSProtocol.parseUploadReply(body) }
    }

    @Test("file ids: group, then the storage path")
    func fileIds() throws {
        let file = try #require(FastDFSFileId(parsing: "group1/M00/0A/1F/wKgBAF-x_Y2AAAAAAAAAAA.png"))
        #expect(file.group == "group1")
        #expect(file.path == "M00/0A/1F/wKgBAF-x_Y2AAAAAAAAAAA.png")
        #expect(file.description == "group1/M00/0A/1F/wKgBAF-x_Y2AAAAAAAAAAA.png")
        #expect(try FastDFSProtocol.parseUploadReply(FastDFSProtocol.padded("group1", to: 16) + Array(file.path.utf8)) == file)
        for bad in ["group1", "/M00/00/00/a", "group-name-too-long-x/M00/00/00/a", "group1/M00/00/00/../a"] {
            #expect(FastDFSFileId(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("the extension FastDFS keeps: up to six characters after the last dot of the key's name")
    func extensions() {
        #expect(FastDFSFileStorage.fileExtension(of: "img/abc.png") == "png")
        #expect(FastDFSFileStorage.fileExtension(of: "docs/a.b/readme") == "")
        #expect(FastDFSFileStorage.fileExtension(of: "backup/x.sqlite3") == "")
        #expect(FastDFSFileStorage.fileExtension(of: "noext") == "")
    }

    @Test("FASTDFS_TRACKERS lists host:port pairs; a bad list or one beside STORAGE_URL stops start-up")
    func configuration() throws {
        let config = try AppConfig.load(from: ["FASTDFS_TRACKERS": "10.0.0.5:22122, tracker.internal:22123", "FASTDFS_TIMEOUT_SECONDS": "5"])
        guard case .fastDFS(let fastDFS) = config.storage else { Issue.record("expected FastDFS storage"); return }
        #expect(fastDFS.trackers.map(\.description) == ["10.0.0.5:22122", "tracker.internal:22123"])
        #expect(fastDFS.timeoutSeconds == 5)
        for bad in ["10.0.0.5", "10.0.0.5:0", "10.0.0.5:70000", ":22122", "10.0.0.5:22122,", "a/b:1"] {
            #expect(throws: AppConfigError.self) { try AppConfig.load(from: ["FASTDFS_TRACKERS": bad]) }
        }
        #expect(throws: AppConfigError.self) {
            try AppConfig.load(from: ["FASTDFS_TRACKERS": "127.0.0.1:22122", "STORAGE_URL": "s3://a:b@127.0.0.1:5000/bucket"])
        }
        #expect(throws: AppConfigError.self) { try AppConfig.load(from: ["FASTDFS_TRACKERS": "127.0.0.1:22122", "FASTDFS_TIMEOUT_SECONDS": "0"]) }
    }
}

// Serialized: each case starts an app and a fake of its own.
@Suite("FastDFS storage", .serialized)
struct FastDFSStorageTests {
    @Test("upload, download, ranged download, replace and delete against the fake, sending what the Python client sends",
          arguments: [15, 45])
    func roundTrip(ipWidth: Int) async throws {
        let fake = try FakeFastDFS(ipWidth: ipWidth)
        defer { fake.stop() }
        let vectors = try FastDFSVectors.load()
        let config = try fake.config
        try await withTestApp(adjust: { $0.storage = .fastDFS(config) }) { app in
            let storage = try #require(app.fileStorage as? FastDFSFileStorage)
            let data = Data(vectors.data.utf8)
            try await storage.put(key: "docs/vector.txt", data: data, contentType: "text/plain")
            #expect(try await storage.fileId(for: "docs/vector.txt")?.description == vectors.fileId)
            #expect(try await storage.get(key: "docs/vector.txt") == data)
            let ranged = try await storage.get(key: "docs/vector.txt", offset: Int(vectors.range.offset), length: Int(vectors.range.length))
            #expect(ranged == data.subdata(in: 10..<17))
            try await storage.delete(key: "docs/vector.txt")
            #expect(try await storage.get(key: "docs/vector.txt") == nil)
            try await storage.delete(key: "docs/vector.txt") // already gone: fine

            let sent = try fake.recorded()
            #expect(sent.map(\.command) == vectors.packets.map(\.command))
            #expect(sent.map(\.hex) == vectors.packets.map(\.hex), "the same bytes as fastdfs-client for the same operations")

            // A large file, and replacing a key removes the file it named before.
            let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try await storage.put(key: "img/big.bin", data: big, contentType: "application/octet-stream")
            let first = try #require(try await storage.fileId(for: "img/big.bin"))
            #expect(try await storage.get(key: "img/big.bin") == big)
            #expect(try await storage.get(key: "img/big.bin", offset: 2_999_990, length: 10) == big.suffix(10))
            try await storage.put(key: "img/big.bin", data: Data("v2".utf8), contentType: "application/octet-stream")
            #expect(try await storage.get(key: "img/big.bin") == Data("v2".utf8))
            let deletes = try fake.recorded().filter { $0.command == 12 }.map(\.hex)
            #expect(deletes.last == hex(FastDFSProtocol.delete(first)), "the replaced file was deleted")
            #expect(try await FastDFSFileModel.query(on: app.db).count() == 1)
        }
    }

    @Test("a misbehaving cluster is a 503 error, never a trap or a hang, and leaves no index row",
          arguments: ["huge-length", "wrong-command", "short-reply", "hang", "hostile-id"])
    func misbehavingCluster(mode: String) async throws {
        let fake = try FakeFastDFS(mode: mode)
        defer { fake.stop() }
        let config = try fake.config
        try await withTestApp(adjust: { $0.storage = .fastDFS(config) }) { app in
            let started = Date()
            await #expect(throws: FileStorageError.self) {
                try await app.fileStorage.put(key: "img/x.png", data: Data("x".utf8), contentType: "image/png")
            }
            #expect(Date().timeIntervalSince(started) < 10, "the 2-second timeout ends a hung exchange")
            let rows = try await FastDFSFileModel.query(on: app.db).count()
            #expect(rows == 0)
        }
    }

    @Test("with no tracker reachable, an image upload is a 503 and records nothing")
    func unreachableTracker() async throws {
        let config = try FastDFSConfig(parsing: "127.0.0.1:1,127.0.0.1:2", timeoutSeconds: 2)
        try await withTestApp(adjust: { $0.storage = .fastDFS(config) }) { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let response = try await app.uploadImage(try FixtureFiles.image("rgb-5x3.png"), merchant: SelfOperatedMerchant.id.rawValue, token: token)
            #expect(response.status == .serviceUnavailable)
            #expect(response.problem?.detail == "File storage is not available right now; try again in a moment.")
            #expect(try await MediaFileModel.query(on: app.db).count() == 0)
        }
    }

    @Test("an image uploaded through the API with FastDFS configured is served back from /files")
    func mediaThroughTheAPI() async throws {
        let fake = try FakeFastDFS()
        defer { fake.stop() }
        let config = try fake.config
        try await withTestApp(adjust: { $0.storage = .fastDFS(config) }) { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let jpeg = try FixtureFiles.image("baseline-exif-6x4.jpg")
            let uploaded = try await app.uploadImage(jpeg, merchant: SelfOperatedMerchant.id.rawValue, token: token, filename: "a.jpg")
            #expect(uploaded.status == .created)
            let file = try uploaded.decode(MediaFile.self)
            let fileId = try #require(try await (app.fileStorage as? FastDFSFileStorage)?.fileId(for: "img/\(file.sha256).jpg"))
            #expect(fileId.group == "group1" && fileId.path.hasSuffix(".jpg"))
            let served = try await app.send(.GET, file.url)
            #expect(served.status == .ok)
            #expect(Array(served.body.readableBytesView) == jpeg)
            #expect(served.headers.first(name: .contentType) == "image/jpeg")
        }
    }
}
