import Testing
import VaporTesting
@testable import MallServer
