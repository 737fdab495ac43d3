import MallAPI
import MallCore
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
extension StockLevelEntry: Content {}
extension StockMovementEntry: Content {}
extension LowStockAlert: Content {}
extension Stocktake: Content {}
extension Transfer: Content {}
extension StockSyncResult: Content {}
extension StockChanges: Content {}
extension CategoryNode: Content {}
extension Brand: Content {}
extension Tag: Content {}
extension SpecTemplate: Content {}
extension Product: Content {}
extension BarcodeLookup: Content {}
extension PriceQuote: Content {}
extension ImportReport: Content {}
extension InboxNotification: Content {}
extension StaffInboxCount: Content {}
extension BackupFile: Content {}
extension SKUPriceBook: Content {}
extension CheckoutResult: Content {}
extension CheckoutPreview: Content {}
extension Order: Content {}
extension MyOrders: Content {}
extension PaymentInfo: Content {}
extension PaymentStart: Content {}
extension PaymentProviderInfo: Content {}
extension StaffOrder: Content {}
extension StaffOrderList: Content {}
extension OrderTotals: Content {}
extension ShippingRuleInfo: Content {}
extension PickupStoreOption: Content {}
extension RefundInfo: Content {}
extension ListPage: Content {}
extension MediaFile: Content {}
extension ProductAttachment: Content {}
extension AfterSalesInfo: Content {}
extension AfterSalesStats: Content {}
extension CarrierInfo: Content {}
extension ShipmentInfo: Content {}
extension PointsSummary: Content {}
extension PointsEntry: Content {}
extension SignInResult: Content {}
extension MemberPoints: Content {}
extension MemberInbox: Content {}
