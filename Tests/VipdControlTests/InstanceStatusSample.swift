import VipdVRRP

/// A VRRP instance status with what `vipd ctl status` shows set, and the rest plain.
func instanceStatus(
    name: String, state: String, priority: Int, effectivePriority: Int, masterAddress: String?, held: Bool, faultReason: String?,
    movedSessions: Int? = nil, forwardingTo: String? = nil, forwardedSegments: Int? = nil, syncGroup: String? = nil,
    syncGroupState: String? = nil
) -> VRRPInstanceStatus {
    VRRPInstanceStatus(
        name: name, interface: "eth0", routerID: 51, version: 3, virtualAddresses: ["10.0.0.100/24"], state: state,
        priority: priority, effectivePriority: effectivePriority, masterAddress: masterAddress, masterIsThisNode: false,
        faultReason: faultReason, held: held, advertisementsReceived: 0, advertisementsSent: 0, transitionsTotal: 0,
        recentTransitions: [], movedSessions: movedSessions, forwardingTo: forwardingTo, forwardedSegments: forwardedSegments,
        syncGroup: syncGroup, syncGroupState: syncGroupState)
}
