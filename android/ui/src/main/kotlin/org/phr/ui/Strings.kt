package org.phr.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.runtime.staticCompositionLocalOf
import org.phr.ffi.Label
import org.phr.ffi.catalogueText

/**
 * Every word the screens show comes from the core's one catalogue (core/strings/en.json) by
 * key; composables never hold English. Placeholders are `{name}`, filled from [args].
 * On Android the app supplies an implementation over its generated strings.xml.
 */
fun interface Strings {
    /** The catalogue text of [key]; an unknown key comes back as itself. */
    fun template(key: String): String

    fun text(key: String, vararg args: Pair<String, Any>): String = fill(template(key), *args)

    /** A core [Label] (key + placeholder values) in words. */
    fun label(l: Label): String = text(l.key, *l.args.map { it.name to it.value }.toTypedArray())

    /** Sentences of a paragraph (an alert's explanation), joined with a space. */
    fun paragraph(ls: List<Label>): String = ls.joinToString(" ") { label(it) }
}

/** Replaces each `{name}` in [template] with its value; unknown names stay as written. */
fun fill(template: String, vararg args: Pair<String, Any>): String =
    args.fold(template) { acc, (name, value) -> acc.replace("{$name}", value.toString()) }

/** The catalogue compiled into the core (the JVM build, tests and screenshots). */
object CatalogueStrings : Strings {
    override fun template(key: String): String = catalogueText(key)
}

val LocalStrings = staticCompositionLocalOf<Strings> { CatalogueStrings }

/** Shorthand for composables: `t("ui.back")`. */
@Composable
@ReadOnlyComposable
fun t(key: String, vararg args: Pair<String, Any>): String = LocalStrings.current.text(key, *args)
