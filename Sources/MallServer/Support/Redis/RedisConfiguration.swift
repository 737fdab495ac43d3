import Foundation
import NIOCore

struct RedisURLError: Error, Equatable {
    let problem: String
}

/// Where Redis is and how to sign in: `redis://[user:pass@]host:port[/db]`, or `rediss://` for TLS.
struct RedisConfiguration: Sendable, Equatable {
    var host: String
    var port: Int
    var username: String?
    var password: String?
    var database: Int
    var usesTLS: Bool
    /// Connections in the pool; commands are pipelined on each, so a few carry a lot.
    var poolSize = 4
    var commandTimeout: TimeAmount = .seconds(2)
    var connectTimeout: TimeAmount = .seconds(2)
    /// After a failed connect a slot waits this long, doubling up to `maxBackoff`, before the
    /// next try; meanwhile commands fail at once so callers fall back instead of queueing.
    var initialBackoff: TimeAmount = .milliseconds(100)
    var maxBackoff: TimeAmount = .seconds(5)

    init(host: String, port: Int, username: String? = nil, password: String? = nil, database: Int = 0, usesTLS: Bool = false) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.usesTLS = usesTLS
    }

    init(url text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw RedisURLError(problem: "must be a URL such as redis://127.0.0.1:6379/0")
        }
        guard scheme == "redis" || scheme == "rediss" else {
            throw RedisURLError(problem: "must start with redis:// or rediss:// (TLS)")
        }
        guard let host = url.host, !host.isEmpty else { throw RedisURLError(problem: "must name a host") }
        let port = url.port ?? 6379
        guard (1...65_535).contains(port) else { throw RedisURLError(problem: "has a port outside 1–65535") }
        var database = 0
        let path = url.path.drop { $0 == "/" }
        if !path.isEmpty {
            guard let number = Int(path), (0...15_999).contains(number) else {
                throw RedisURLError(problem: "must end with a database number such as /0, got /\(path)")
            }
            database = number
        }
        // `redis://:secret@host` is a password alone (requirepass); with a user name it is an ACL user.
        let user = url.percentEncodedUser.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        let password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if user != nil, password == nil { throw RedisURLError(problem: "names a user without a password") }
        self.init(host: host, port: port, username: user, password: password, database: database, usesTLS: scheme == "rediss")
    }

    /// How long to wait after `failures` failed connects in a row: doubling, capped.
    func backoff(afterFailures failures: Int) -> TimeAmount {
        .nanoseconds(min(initialBackoff.nanoseconds << min(failures, 16), maxBackoff.nanoseconds))
    }
}
