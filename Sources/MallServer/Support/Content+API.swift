import MallAPI
import Vapor

// API types are plain Codable in MallAPI (so a Swift client can share them); the server makes
// them Vapor content here. The JSON coders are set globally in `configure`.
extension MemberProfile: Content {}
extension MemberSession: Content {}
extension TokenPair: Content {}
extension Address: Content {}
extension StaffMember: Content {}
extension StaffIdentity: Content {}
extension StaffSession: Content {}
extension Role: Content {}
extension Merchant: Content {}
extension Store: Content {}
extension NearbyStore: Content {}
extension Setting: Content {}
extension AuditEntry: Content {}
extension Job: Content {}
extension HealthStatus: Content {}
extension ListPage: Content {}
extension MediaFile: Content {}
