package org.phr.android

import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import org.phr.android.ui.AndroidStrings
import org.phr.ffi.Label
import org.phr.shared.PhrRepository
import java.util.concurrent.TimeUnit

/**
 * Local notifications from the core's plan (`notificationsDue`): the core decides what is
 * due and when (medicine reminders only if switched on, share endings, backup nudges); this
 * schedules each as a WorkManager job and shows it when it runs. Nothing leaves the phone.
 */
object Notifications {
    private const val CHANNEL = "reminders"
    private const val TAG = "phr-notification"

    /** Replaces every scheduled notification with the core's current plan. */
    suspend fun plan(context: Context, repo: PhrRepository) {
        val now = System.currentTimeMillis()
        val strings = AndroidStrings(context)
        val work = WorkManager.getInstance(context)
        work.cancelAllWorkByTag(TAG)
        for (n in repo.notificationsDue(now)) {
            val request = OneTimeWorkRequestBuilder<ShowNotification>()
                .setInitialDelay((n.atMs - now).coerceAtLeast(0), TimeUnit.MILLISECONDS)
                .addTag(TAG)
                .setInputData(
                    workDataOf(
                        "id" to n.id,
                        "title" to text(strings, n.title),
                        "body" to text(strings, n.body),
                        "screen" to n.screen,
                    ),
                )
                .build()
            work.enqueueUniqueWork("$TAG-${n.id}", ExistingWorkPolicy.REPLACE, request)
        }
    }

    private fun text(strings: AndroidStrings, label: Label): String =
        strings.text(label.key, *label.args.map { it.name to it.value }.toTypedArray())

    fun channel(context: Context) {
        val strings = AndroidStrings(context)
        val channel = NotificationChannel(CHANNEL, strings.text("ui.settings.reminders"), NotificationManager.IMPORTANCE_DEFAULT)
        context.getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
    }

    /** Shows one planned notification, then plans again (daily reminders come back this way). */
    class ShowNotification(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
        override suspend fun doWork(): Result {
            val ctx = applicationContext
            channel(ctx)
            val strings = AndroidStrings(ctx)
            val open = PendingIntent.getActivity(
                ctx,
                0,
                Intent(ctx, MainActivity::class.java).putExtra("screen", inputData.getString("screen")),
                PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
            // A medicine's name is health data: the lock screen shows only the public version.
            val public = NotificationCompat.Builder(ctx, CHANNEL)
                .setSmallIcon(android.R.drawable.ic_popup_reminder)
                .setContentTitle(strings.text("app.name"))
                .setContentText(strings.text("ui.notify.private"))
                .build()
            val note = NotificationCompat.Builder(ctx, CHANNEL)
                .setSmallIcon(android.R.drawable.ic_popup_reminder)
                .setContentTitle(inputData.getString("title"))
                .setContentText(inputData.getString("body"))
                .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
                .setPublicVersion(public)
                .setContentIntent(open)
                .setAutoCancel(true)
                .build()
            val manager = NotificationManagerCompat.from(ctx)
            if (manager.areNotificationsEnabled()) {
                try {
                    manager.notify(inputData.getString("id").hashCode(), note)
                } catch (e: SecurityException) {
                    // POST_NOTIFICATIONS was refused on Android 13+: nothing to show.
                }
            }
            plan(ctx, (ctx as PhrApplication).repository())
            return Result.success()
        }
    }
}
