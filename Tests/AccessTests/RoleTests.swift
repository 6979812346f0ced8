import Access
import Testing

@Suite("The contract's role table")
struct RoleTests {
    /// The table of the contract, row by row.
    static let granted: [Permission: Set<Role>] = [
        .recordSales: [.sales, .admin],
        .recordReceivables: [.accountant, .admin],
        .recordCollections: [.sales, .accountant, .admin],
        .readReports: [.sales, .accountant, .backoffice, .admin],
        .readAging: [.accountant, .backoffice, .admin],
        .readProjections: [.backoffice, .admin],
        .administer: [.admin],
    ]

    @Test(arguments: Role.allCases, Permission.allCases)
    func everyPairMatchesTheContract(role: Role, permission: Permission) {
        #expect(role.may(permission) == Self.granted[permission]!.contains(role))
    }

    @Test func everyPermissionIsInTheTable() {
        #expect(Set(Self.granted.keys) == Set(Permission.allCases))
    }
}
