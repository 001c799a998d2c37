// The generated bindings (org.phr.ffi), the native library for each ABI, and the
// repository + screen models (org.phr.shared). The models' tests run on the plain JVM with
// Maven against the host-built library (scripts/test-bindings.sh), so Gradle skips them.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.phr.shared"
    compileSdk = 35
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].apply {
        // The generated bindings and the hand-written additions that must sit in their module
        // (bindings/kotlin/lib/src/main/kotlin: SampleArrays, ADR 0052).
        kotlin.srcDirs("src/main/kotlin", "build/generated/uniffi/kotlin", "../../bindings/kotlin/lib/src/main/kotlin")
        jniLibs.srcDirs("src/main/jniLibs")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

tasks.withType<Test>().configureEach { enabled = false }

dependencies {
    api("net.java.dev.jna:jna:5.17.0@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    implementation("androidx.annotation:annotation:1.9.1")
}
