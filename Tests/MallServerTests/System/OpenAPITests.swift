import Foundation
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("API document")
struct OpenAPITests {
    /// Reads `paths:` and the HTTP methods under each from openapi.yaml without a YAML library:
    /// paths sit at two spaces of indentation, operations at four.
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var inPaths = false
        var currentPath: String?
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, !first.isWhitespace, first != "#" { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast()).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if line.hasSuffix(":"), methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test("openapi.yaml names every /api/v1 route and nothing else")
    func documentMatchesRoutes() async throws {
        try await withTestApp { app in
            let registered = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return path.hasPrefix("/api/v1/") ? "\(route.method.rawValue) \(path)" : nil
            })
            let yaml = try String(contentsOfFile: app.directory.workingDirectory + "openapi.yaml", encoding: .utf8)
            let documented = Self.documentedOperations(yaml)
            #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
            #expect(documented.subtracting(registered).sorted() == [], "documented operations that do not exist")
            #expect(registered.count > 30)

            let served = try await app.send(.GET, "/api/v1/openapi.yaml")
            #expect(served.status == .ok)
            #expect(served.text.contains("\nopenapi: 3.1"))
        }
    }

    @Test("openapi.yaml documents every setting with the type and range the settings catalog enforces")
    func settingsDocumented() throws {
        let yaml = try String(contentsOfFile: "openapi.yaml", encoding: .utf8)
        let start = try #require(yaml.range(of: "    SettingsUpdate:"))
        let section = yaml[start.upperBound...].prefix { _ in true }.split(separator: "\n", omittingEmptySubsequences: false)
        // Each setting is a property at 12 spaces, its keywords at 14.
        var documented: [String: [String: String]] = [:]
        var current: String?
        for line in section {
            if line.hasPrefix("    ") && !line.hasPrefix("     ") { break }
            if line.hasPrefix("            "), !line.hasPrefix("             "), line.hasSuffix(":") {
                current = String(line.dropFirst(12).dropLast())
                documented[current!] = [:]
            } else if let key = current, line.hasPrefix("              "), !line.hasPrefix("               ") {
                let parts = line.dropFirst(14).split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2 { documented[key]?[parts[0]] = parts[1] }
            }
        }
        for key in SettingKey.allCases {
            let definition = key.definition
            let entry = try #require(documented[key.rawValue], "\(key.rawValue) is not documented")
            switch definition.type {
            case .integer:
                #expect(entry["type"] == "integer", "\(key.rawValue)")
                #expect(entry["minimum"] == definition.range.map { String($0.lowerBound) }, "\(key.rawValue) minimum")
                #expect(entry["maximum"] == definition.range.map { String($0.upperBound) }, "\(key.rawValue) maximum")
            case .boolean:
                #expect(entry["type"] == "boolean", "\(key.rawValue)")
            case .string, .timeZone:
                #expect(entry["type"] == "string", "\(key.rawValue)")
            }
        }
    }
}
