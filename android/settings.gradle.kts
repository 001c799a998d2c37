// The Android shell. Open this folder in Android Studio after running
// scripts/build-android.sh once (it builds libphr_ffi.so for the device ABIs and generates
// the Kotlin bindings into shared/build/generated/uniffi/kotlin).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "phr-android"
include(":app", ":shared")
