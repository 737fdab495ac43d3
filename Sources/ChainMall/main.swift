import Foundation
import Logging
import MallServer
import Vapor

// `chainmall serve --demo` is the quick start: migrate, load demo data, print the accounts, serve.
var arguments = CommandLine.arguments
let loadsDemo = arguments.contains("--demo") && (arguments.count < 2 || arguments[1] == "serve" || arguments[1] == "--demo")
if loadsDemo { arguments.removeAll { $0 == "--demo" } }
let command = arguments.count > 1 ? arguments[1] : "serve"
let serves = command == "serve" || command.hasPrefix("-")

var env = try Environment.detect(arguments: arguments)
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
do {
    let config: AppConfig
    do {
        config = try AppConfig.load(production: env == .production)
    } catch let error as AppConfigError {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        exit(2)
    }
    try await configure(app, config: config)
    if serves {
        app.http.server.configuration.hostname = ProcessInfo.processInfo.environment["HOST"] ?? "127.0.0.1"
        app.http.server.configuration.port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8080
        try await app.migrateExclusively()
        if loadsDemo {
            print(try await loadDemoData(app))
        }
        try await startBackgroundWork(app)
    }
    try await app.execute()
} catch is ExitCode {
    try? await app.asyncShutdown()
    exit(1)
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    throw error
}
// `execute` returns on SIGTERM or SIGINT with the server still answering: drain it first, so no
// request is left touching a database that is already closed.
if serves, !(await drainForShutdown(app)) {
    exit(0)
}
try await app.asyncShutdown()
