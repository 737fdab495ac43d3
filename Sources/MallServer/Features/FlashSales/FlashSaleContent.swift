import MallAPI
import Vapor

extension FlashSession: Content {}
extension FlashSessionLive: Content {}
