import Fluent
import Vapor

/// The schema's history, in order. Never edit a migration that has landed; append the next.
enum Migrations {
    static func register(on app: Application) {
        app.migrations.add(CreateMerchants())
        app.migrations.add(CreateStaff())
        app.migrations.add(CreateRoles())
        app.migrations.add(CreateStaffRoleGrants())
        app.migrations.add(CreateStores())
        app.migrations.add(CreateMembers())
        app.migrations.add(CreateAuthSessions())
        app.migrations.add(CreateSystemTables())
        app.migrations.add(SessionRecord.migration)
        app.migrations.add(CreateCatalog())
        app.migrations.add(CreateInventory())
        app.migrations.add(CreateProductSearch())
        app.migrations.add(CreateMediaFiles())
        app.migrations.add(CreateCarts())
        app.migrations.add(CreateOrders())
        app.migrations.add(CreateShipments())
        app.migrations.add(CreateAfterSales())
        app.migrations.add(UpdateRefundsAddTransaction())
        app.migrations.add(UpdateMembersAddLevel())
        app.migrations.add(UpdateMerchantsAddShippingRule())
        app.migrations.add(UpdateOrdersAddTimeIndexes())
        app.migrations.add(UpdateProductsAddCategoryOrderIndex())
        app.migrations.add(CreateProductSearchGrams())
        app.migrations.add(UpdateSessionsAddTouchedAt())
        app.migrations.add(UpdateShipmentsAddTrackingSubscription())
        app.migrations.add(CreatePoints())
        app.migrations.add(CreateMemberLevels())
        app.migrations.add(CreateOrderPoints())
        app.migrations.add(CreateMemberImages())
        app.migrations.add(UpdateProductsAddRatings())
        app.migrations.add(CreateProductReviews())
        app.migrations.add(CreatePointsMall())
        app.migrations.add(CreatePromotions())
        app.migrations.add(CreateCoupons())
        app.migrations.add(CreateFlashSales())
        app.migrations.add(CreateGroupBuys())
    }
}
