package org.phr.ui

import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.text.TextLayoutResult

/** [node] and everything under it. */
fun walk(node: SemanticsNode): Sequence<SemanticsNode> = sequenceOf(node) + node.children.asSequence().flatMap { walk(it) }

/** A node a finger can act on: press, toggle or type into. */
fun SemanticsNode.isControl(): Boolean =
    SemanticsActions.OnClick in config || SemanticsProperties.ToggleableState in config || SemanticsActions.SetText in config

/** The name a screen reader says for it: its content description or its text, never its typed value. */
fun SemanticsNode.label(): String? {
    val desc = config.getOrNull(SemanticsProperties.ContentDescription).orEmpty().joinToString(" ")
    val text = config.getOrNull(SemanticsProperties.Text).orEmpty().joinToString(" ") { it.text }
    return (desc + " " + text).trim().takeIf { it.isNotEmpty() }
}

/** How a node reads in a failure message: its role and label, never a value (it could be health data). */
fun SemanticsNode.describe(): String =
    "node ${id} role=${config.getOrNull(SemanticsProperties.Role)} label=${label()?.take(40)}"

/** The text layout of a text node, if it is one. */
fun SemanticsNode.textLayout(): TextLayoutResult? {
    val action = config.getOrNull(SemanticsActions.GetTextLayoutResult)?.action ?: return null
    val out = mutableListOf<TextLayoutResult>()
    return if (action(out)) out.firstOrNull() else null
}
