import MallAPI
import Vapor

extension CouponTemplate: Content {}
extension CouponTemplateInput: Content {}
extension MemberCoupon: Content {}
extension CouponCodeRedemptionInput: Content {}
extension CouponIssueInput: Content {}
extension CouponIssueResult: Content {}
extension CouponCodeBatchInput: Content {}
extension CouponCode: Content {}
