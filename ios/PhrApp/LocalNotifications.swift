import Foundation
import PhrFFI
import UserNotifications

/// Local notifications from the core's plan (`notificationsDue`): which, when, daily or once,
/// and their words (catalogue labels). Nothing leaves the phone; the texts never hold
/// health data (the core's rule), so they are safe on a locked screen.
enum LocalNotifications {
    /// Asks iOS once, when the owner switches a reminder on; never at launch.
    static func askPermission() async {
        _ = try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge])
    }

    /// Replaces every pending notification with the core's current plan.
    static func plan(record: PhrRecord) async {
        let center = UNUserNotificationCenter.current()
        let settings = await center.notificationSettings()
        guard settings.authorizationStatus == .authorized || settings.authorizationStatus == .provisional else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        guard let planned = try? await record.notificationsDue(nowMs: now) else { return }
        center.removeAllPendingNotificationRequests()
        for n in planned {
            let content = UNMutableNotificationContent()
            content.title = L(label: n.title)
            content.body = L(label: n.body)
            content.userInfo = ["screen": n.screen, "target": n.targetId ?? ""]
            let at = Date(timeIntervalSince1970: Double(n.atMs) / 1000)
            let parts: Set<Calendar.Component> = n.daily ? [.hour, .minute] : [.year, .month, .day, .hour, .minute]
            let trigger = UNCalendarNotificationTrigger(dateMatching: Calendar.current.dateComponents(parts, from: at), repeats: n.daily)
            try? await center.add(UNNotificationRequest(identifier: n.id, content: content, trigger: trigger))
        }
    }
}
