plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "org.phr.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "org.phr.android"
        minSdk = 26
        targetSdk = 35
        // Where share links are hosted (ciphertext only). Override with -Pphr.relayUrl=...
        buildConfigField("String", "RELAY_URL", "\"" + (project.findProperty("phr.relayUrl") ?: "https://relay.phr.example") + "\"")
        // The GP system's FHIR address and the app's Strava registration; empty hides that
        // part of the Connect screen. Set with -Pphr.gpFhirUrl=... -Pphr.stravaClientId=...
        buildConfigField("String", "GP_FHIR_URL", "\"" + (project.findProperty("phr.gpFhirUrl") ?: "") + "\"")
        buildConfigField("String", "STRAVA_CLIENT_ID", "\"" + (project.findProperty("phr.stravaClientId") ?: "") + "\"")
        buildConfigField("String", "STRAVA_CLIENT_SECRET", "\"" + (project.findProperty("phr.stravaClientSecret") ?: "") + "\"")
        versionCode = 1
        versionName = "0.1.0"
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }
    // The screens are android/ui's sources, compiled here against Jetpack Compose (ADR 0030).
    sourceSets["main"].kotlin.srcDirs("src/main/kotlin", "../ui/src/main/kotlin")
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

dependencies {
    implementation(project(":shared"))
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.ui:ui-tooling-preview")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    // ADR 0036: the app lock, reminders and the Health Connect reader.
    implementation("androidx.fragment:fragment-ktx:1.8.5")
    implementation("androidx.biometric:biometric:1.1.0")
    implementation("androidx.work:work-runtime-ktx:2.10.0")
    implementation("androidx.health.connect:connect-client:1.1.0-rc01")
    // The core's charts are SVG; Android has no SVG renderer of its own (AndroidSVG, Apache-2.0).
    implementation("com.caverock:androidsvg-aar:1.4")
    debugImplementation("androidx.compose.ui:ui-tooling")
}
