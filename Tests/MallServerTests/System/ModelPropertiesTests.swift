import FluentKit
import Foundation
import Testing
@testable import MallServer

/// Every model lists its property wrappers by hand (`var properties`), because FluentKit would
/// otherwise find them by reflection on every row it decodes and every query it builds. A
/// wrapper missing from a list would silently never be read or written, so this compares each
/// list with what reflection finds.
@Suite("Model property lists")
struct ModelPropertiesTests {
    static let models: [any Model.Type] = [
        AfterSalesCaseModel.self, AfterSalesLineModel.self, AuditLogModel.self, AuthSessionModel.self,
        BrandModel.self, CartFulfilmentModel.self, CartLineModel.self, CartModel.self,
        CategoryModel.self, CheckoutModel.self, JobModel.self, JobScheduleModel.self,
        LowStockAlertModel.self, MediaFileModel.self, FastDFSFileModel.self, ProductAttachmentModel.self, MemberAddressModel.self, MemberModel.self,
        MerchantModel.self, NotificationModel.self, OrderLineModel.self, OrderModel.self,
        PaymentModel.self, PointsAccountModel.self, PointsEntryModel.self, SignInModel.self, ProductModel.self, ProductStoreDelistingModel.self, ProductTagModel.self,
        RefreshTokenModel.self, RefundModel.self, RoleModel.self, SKULevelPriceModel.self,
        SKUModel.self, SKUStorePriceModel.self, ScheduledPriceModel.self, SettingModel.self,
        ShipmentModel.self, SpecTemplateModel.self, StaffModel.self, StaffRoleGrantModel.self,
        StockLevelModel.self, StockMovementModel.self, StockSyncBatchModel.self, StocktakeLineModel.self,
        StocktakeModel.self, StoreModel.self, TagModel.self, TrackingEventModel.self,
        TransferLineModel.self, TransferModel.self,
        MemberLevelModel.self, MemberLevelStateModel.self, MemberLevelChangeModel.self, OrderLinePointsModel.self, OrderRewardModel.self,
        MemberImageModel.self, ProductReviewModel.self,
        CouponTemplateModel.self, CouponMemberCountModel.self, MemberCouponModel.self, CouponCodeModel.self, CouponCodeRedemptionModel.self,
        PointsMallItemModel.self, PointsMallMemberCountModel.self, PointsMallRedemptionModel.self, LotteryModel.self, LotteryPrizeModel.self,
        LotteryPrizeTableModel.self, LotteryDailyCountModel.self, LotteryDrawModel.self,
        PromotionModel.self, PromotionMemberUseModel.self, PromotionOrderModel.self,
        FlashSessionModel.self, FlashItemModel.self, FlashMemberCountModel.self, FlashPurchaseModel.self,
        GroupBuyActivityModel.self, GroupBuyGroupModel.self, GroupBuyMemberModel.self, GroupBuyMemberCountModel.self,
        FeeRuleModel.self, PaymentChannelFeeModel.self, OrderFeesModel.self, OrderLineFeesModel.self, SettlementStatementModel.self,
        SettlementEntryModel.self, PayoutModel.self,
        MerchantApplicationModel.self, MerchantApplicationDocumentModel.self, MerchantFollowModel.self,
        BundleModel.self,
    ]

    @Test("each model's hand-written property list holds exactly the wrappers reflection finds")
    func listsMatchReflection() {
        for type in Self.models {
            let model = type.init()
            let listed = model.properties.map { ObjectIdentifier($0 as AnyObject) }
            let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }.map { ObjectIdentifier($0 as AnyObject) }
            #expect(listed.count == reflected.count, "\(type): \(listed.count) listed, \(reflected.count) declared")
            #expect(Set(listed) == Set(reflected), "\(type) lists other wrappers than it declares")
        }
    }

    @Test("every model in the sources is checked here")
    func everyModelIsChecked() throws {
        let sources = FileManager.default.enumerator(atPath: "Sources/MallServer")!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        var declared: Set<String> = []
        let pattern = try Regex("final class (\\w+): Model\\b")
        for path in sources {
            let text = try String(contentsOfFile: "Sources/MallServer/" + path, encoding: .utf8)
            for match in text.matches(of: pattern) { declared.insert(String(match.output[1].substring ?? "")) }
        }
        #expect(declared.count >= 46)
        #expect(declared == Set(Self.models.map { String(describing: $0) }))
    }
}
