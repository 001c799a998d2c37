package org.phr.android.ui

import android.content.Context
import org.phr.ui.Strings

/**
 * The screens' texts on Android: the generated res/values/strings.xml (tools/gen_strings.py
 * writes it from the core's catalogue, core/strings/en.json), so translations follow the
 * phone's language. Resource names are the catalogue keys with dots as underscores. An
 * unknown key comes back as itself, as the JVM's catalogue does, so a gap shows in tests.
 */
class AndroidStrings(private val context: Context) : Strings {
    override fun template(key: String): String {
        val name = key.replace('.', '_').replace('-', '_')
        val id = context.resources.getIdentifier(name, "string", context.packageName)
        return if (id == 0) key else context.getString(id)
    }
}
