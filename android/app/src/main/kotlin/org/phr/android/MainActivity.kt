package org.phr.android

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.material3.MaterialTheme
import androidx.lifecycle.viewmodel.compose.viewModel
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import org.phr.android.ui.OverviewScreen
import org.phr.android.ui.PrivacyScreen
import org.phr.android.ui.SectionDetailScreen
import org.phr.android.ui.SharingScreen

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as PhrApplication
        setContent {
            MaterialTheme {
                val nav = rememberNavController()
                NavHost(nav, startDestination = "overview") {
                    composable("overview") {
                        OverviewScreen(viewModel { OverviewViewModel(app) }, onShare = { nav.navigate("sharing") }) { id -> nav.navigate("section/${android.net.Uri.encode(id)}") }
                    }
                    composable("section/{id}") { back ->
                        val id = back.arguments?.getString("id").orEmpty()
                        SectionDetailScreen(
                            viewModel(key = "section-$id") { SectionDetailViewModel(app, id) },
                            onPrivacy = { nav.navigate("privacy/${android.net.Uri.encode(id)}") },
                            onBack = { nav.popBackStack() },
                        )
                    }
                    composable("sharing") {
                        SharingScreen(viewModel { SharingViewModel(app) }, onBack = { nav.popBackStack() })
                    }
                    composable("privacy/{id}") { back ->
                        val id = back.arguments?.getString("id").orEmpty()
                        PrivacyScreen(viewModel(key = "privacy-$id") { PrivacyViewModel(app, id) }, onBack = { nav.popBackStack() })
                    }
                }
            }
        }
    }
}
