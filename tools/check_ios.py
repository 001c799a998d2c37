#!/usr/bin/env python3
"""Checks the iOS app's Swift sources as far as a machine without Swift can (issue 17).

    python3 tools/check_ios.py path/to/generated/PhrFFI.swift

Swift does not build here, so the app is kept thin and these checks stand in for the
compiler on the parts that touch the core:
  parse    every .swift file under ios/ parses with a tree-sitter Swift grammar, with no
           ERROR or MISSING node;
  symbols  every record method, free function, type, constructor label and member the
           sources use exists in the generated bindings, in the app's own sources, or in
           the list of Apple names the app uses (tools/ios_apple_names.txt); the argument
           labels of calls to the record, the free functions and FFI structs' initialisers
           match their signatures (known, in order, none required missing);
  strings  every key passed to L(...) (app) or T(...) (UI tests) is in core/strings/en.json, and no string literal
           of the app (ios/PhrApp; tests may hold words) holds words;
  a11y     no control hides its label from VoiceOver (`.labelsHidden()`, an empty title)
           and no text has a fixed size (Dynamic Type: system text styles only);
  parity   every screen model the bindings expose has a view in both shells, and the
           parity table in docs/screens/README.md names exactly the view files on disk.
Prints one line per check and exits 1 on the first failing check's findings.
"""
import json
import re
import sys
from pathlib import Path

import tree_sitter
import tree_sitter_swift

ROOT = Path(__file__).resolve().parent.parent
IOS = ROOT / "ios"
APP = IOS / "PhrApp"
ANDROID_UI = ROOT / "android/ui/src/main/kotlin/org/phr/ui"
ANDROID_SHARED = ROOT / "android/shared/src/main/kotlin/org/phr/shared"
CATALOGUE = ROOT / "core/strings/en.json"
SCREENS_README = ROOT / "docs/screens/README.md"
APPLE_NAMES = ROOT / "tools/ios_apple_names.txt"

# Each screen model of the bindings -> the view that draws it, the same name in both shells.
SCREEN_VIEWS = {
    "homeScreen": "Home",
    "sectionScreen": "Section",
    "entryScreen": "Entry",
    "formSpec": "Form",
    "insightsScreen": "Insights",
    "sharingScreen": "Sharing",
    "devicesScreen": "Devices",
    "importsScreen": "Import",
    "settingsScreen": "Settings",
}

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


def parse(path):
    return PARSER.parse(path.read_bytes())


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def text(node):
    return node.text.decode("utf-8")


def swift_files():
    return sorted(p for p in IOS.rglob("*.swift") if p.is_file())


# ---------------------------------------------------------------- parse


def check_parse(trees):
    bad = []
    for path, tree in trees.items():
        for n in walk(tree.root_node):
            if n.is_error or n.is_missing:
                kind = "MISSING " + n.type if n.is_missing else "ERROR"
                bad.append(f"{path.relative_to(ROOT)}:{n.start_point[0] + 1}: {kind}")
                break
    return bad


# ---------------------------------------------------------------- symbols


def split_params(params):
    """The parameters of a Swift signature: [(external label, has a default)]."""
    out, depth, cur = [], 0, ""
    for ch in params + ",":
        if ch in "([<":
            depth += 1
        elif ch in ")]>":
            depth -= 1
        if ch == "," and depth == 0:
            head = cur.split(":", 1)[0].split()
            if head:
                out.append((head[0].strip("`"), "=" in cur))
            cur = ""
        else:
            cur += ch
    return out


def signatures(src, pattern):
    """name -> parameters, for every declaration matching `pattern` (whose group 1 is the name
    and which ends at the parameter list's opening parenthesis)."""
    out = {}
    for m in re.finditer(pattern, src):
        depth, i = 1, m.end()
        while depth and i < len(src):
            depth += {"(": 1, ")": -1}.get(src[i], 0)
            i += 1
        out[m.group(1)] = split_params(src[m.end() : i - 1])
    return out


class Bindings:
    """The names the generated Swift declares (read with patterns: it is machine-written)."""

    def __init__(self, src):
        src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
        self.types = set(re.findall(r"^(?:public |open )?(?:struct|enum|class|protocol|typealias) (\w+)", src, re.M))
        self.types |= set(re.findall(r"^open class (\w+)", src, re.M))
        proto = re.search(r"^public protocol PhrRecordProtocol\b.*?^\}", src, re.S | re.M)
        self.record_methods = set(re.findall(r"^\s*func (\w+)", proto.group(0), re.M)) if proto else set()
        # The generated code is not indented, so constructors are found by what they return.
        self.record_statics = set(re.findall(r"public static func `?(\w+)`?\([^)]*\)[^{]*-> PhrRecord\b", src))
        self.free_funcs = set(re.findall(r"^public func (\w+)", src, re.M))
        self.members = set(re.findall(r"\bfunc `?(\w+)`?", src))
        self.members |= set(re.findall(r"\b(?:var|let) `?(\w+)`?", src))
        self.members |= set(re.findall(r"^\s*case `?(\w+)`?", src, re.M))
        self.fields = {}
        for m in re.finditer(r"^public struct (\w+)\b[^{]*\{(.*?)^\}", src, re.S | re.M):
            self.fields[m.group(1)] = set(re.findall(r"^    public (?:var|let) `?(\w+)`?", m.group(2), re.M))
        # Parameter lists, to check a call's labels: the record's methods and constructors,
        # the free functions, and the structs' public initialisers.
        self.record_params = signatures(proto.group(0), r"\bfunc `?(\w+)`?\(") if proto else {}
        self.record_params.update(signatures(src, r"public static func `?(\w+)`?\((?=[^)]*\)[^{]*-> PhrRecord\b)"))
        self.free_params = signatures(src, r"(?m)^public func `?(\w+)`?\(")
        self.init_params = {}
        for m in re.finditer(r"^public struct (\w+)\b[^{]*\{(.*?)^\}", src, re.S | re.M):
            inits = signatures(m.group(2), r"public (init)\(")
            if "init" in inits:
                self.init_params[m.group(1)] = inits["init"]


def app_declarations(trees):
    """Names the app's own sources declare: types, generic parameters, functions,
    properties, cases, parameters; and the methods its `extension PhrRecord` adds."""
    types, names, record_ext = set(), set(), set()
    for tree in trees.values():
        for n in walk(tree.root_node):
            if n.type in ("class_declaration", "protocol_declaration", "typealias_declaration", "type_parameter"):
                ids = [c for c in n.children if c.type == "type_identifier"]
                if n.type == "class_declaration" and n.children and text(n.children[0]) == "extension":
                    ids = []
                    extended = [c for c in n.children if c.type == "user_type"]
                    if extended and text(extended[0]) == "PhrRecord":
                        record_ext |= {
                            text(c)
                            for f in walk(n)
                            if f.type == "function_declaration"
                            for c in f.children[:3]
                            if c.type == "simple_identifier"
                        }
                types.update(text(c) for c in ids)
            elif n.type in ("function_declaration", "protocol_function_declaration"):
                for c in n.children:
                    if c.type == "simple_identifier":
                        names.add(text(c))
                        break
            elif n.type == "pattern" or n.type == "enum_entry":
                for c in n.children:
                    if c.type == "simple_identifier":
                        names.add(text(c))
            elif n.type == "parameter":
                for c in n.children:
                    if c.type == "simple_identifier":
                        names.add(text(c))
            elif n.type == "property_declaration":
                for c in n.children:
                    if c.type == "pattern":
                        names.update(text(s) for s in c.children if s.type == "simple_identifier")
    return types, names, record_ext


def check_symbols(trees, b):
    app_types, app_names, record_ext = app_declarations(trees)
    record_methods = b.record_methods | record_ext
    apple = set()
    for line in APPLE_NAMES.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            apple.update(line.split())
    known_types = app_types | b.types | apple
    known_members = app_names | b.members | apple
    bad = []
    for path, tree in trees.items():
        rel = path.relative_to(ROOT)
        for n in walk(tree.root_node):
            line = n.start_point[0] + 1
            if n.type == "type_identifier" and n.parent is not None and n.parent.type == "user_type":
                if text(n) not in known_types:
                    bad.append(f"{rel}:{line}: type {text(n)} is in neither the bindings nor the app")
            elif n.type == "navigation_expression" and len(n.children) == 2:
                target, suffix = n.children
                name_nodes = [c for c in suffix.children if c.type == "simple_identifier"]
                if not name_nodes:
                    continue
                name = text(name_nodes[0])
                receiver = text(target)
                if receiver == "record" or receiver.endswith(".record"):
                    if name not in record_methods:
                        bad.append(f"{rel}:{line}: PhrRecord has no method {name}")
                    elif name in b.record_params and n.parent is not None and n.parent.type == "call_expression":
                        bad += check_labels(rel, line, f"PhrRecord.{name}", labels(n.parent), b.record_params[name])
                elif receiver == "PhrRecord":
                    if name not in b.record_statics:
                        bad.append(f"{rel}:{line}: PhrRecord has no static {name}")
                    elif n.parent is not None and n.parent.type == "call_expression":
                        bad += check_labels(rel, line, f"PhrRecord.{name}", labels(n.parent), b.record_params.get(name, []))
                elif receiver[:1].isupper() and receiver.isidentifier() and receiver in b.types and receiver not in app_types:
                    if name not in b.members:
                        bad.append(f"{rel}:{line}: {receiver} has no member {name}")
                elif name not in known_members:
                    bad.append(f"{rel}:{line}: member {name} is in neither the bindings nor the app")
            elif n.type == "prefix_expression" and n.children and text(n.children[0]) == ".":
                ids = [c for c in n.children if c.type == "simple_identifier"]
                if ids and text(ids[0]) not in known_members:
                    bad.append(f"{rel}:{line}: case or member .{text(ids[0])} is in neither the bindings nor the app")
            elif n.type == "call_expression" and n.children and n.children[0].type == "simple_identifier":
                callee = text(n.children[0])
                if callee in app_names:
                    pass
                elif callee[:1].isupper():
                    if callee not in known_types:
                        bad.append(f"{rel}:{line}: constructor {callee} is in neither the bindings nor the app")
                    elif callee in b.fields and callee not in app_types:
                        for lab in labels(n):
                            if lab not in b.fields[callee]:
                                bad.append(f"{rel}:{line}: {callee} has no field {lab}")
                        if callee in b.init_params:
                            bad += check_labels(rel, line, callee, labels(n), b.init_params[callee])
                elif callee in b.free_funcs:
                    bad += check_labels(rel, line, callee, labels(n), b.free_params.get(callee, []))
                elif callee not in app_names and callee not in apple:
                    bad.append(f"{rel}:{line}: function {callee} is in neither the bindings nor the app")
    return bad


def check_labels(rel, line, what, given, params):
    """A call's argument labels against the signature: known, in order, none required missing."""
    names = [p for p, _ in params]
    bad, at = [], 0
    for lab in given:
        if lab not in names[at:]:
            why = "out of order" if lab in names else "unknown"
            return [f"{rel}:{line}: {what}: argument {lab} {why} (takes {', '.join(names) or 'none'})"]
        at = names.index(lab, at) + 1
    for p, has_default in params:
        if not has_default and p != "_" and p not in given:
            bad.append(f"{rel}:{line}: {what}: argument {p} missing")
    return bad


def labels(call):
    out = []
    for c in call.children:
        if c.type != "call_suffix":
            continue
        for args in c.children:
            if args.type != "value_arguments":
                continue
            for arg in args.children:
                for lab in arg.children:
                    if lab.type == "value_argument_label":
                        out.append(text(lab).strip())
    return out


# ---------------------------------------------------------------- strings

KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

# Views and modifiers whose first argument is shown or read out: never a literal.
TEXT_VIEWS = {"Text", "Button", "Toggle", "TextField", "SecureField", "Picker", "Link", "navigationTitle", "accessibilityLabel"}


def placeholder_args(call):
    """The names given to L("key", [...]) in a dictionary literal (none given: an empty set);
    None when the arguments are not a literal (then they are not checked)."""
    for c in call.children:
        if c.type != "call_suffix":
            continue
        for args in c.children:
            if args.type != "value_arguments":
                continue
            values = [a for a in args.children if a.type == "value_argument"]
            if len(values) < 2:
                return set()
            exprs = [x for x in values[1].children if x.is_named]
            if not exprs or exprs[0].type != "dictionary_literal":
                return None
            keys = [x for x in exprs[0].children if x.type == "line_string_literal"]
            # A dictionary literal alternates key, value; the keys are the even ones.
            names = [x for x in exprs[0].children if x.is_named]
            return {text(names[i]).strip('"') for i in range(0, len(names), 2) if names[i] in keys}
    return set()


def first_argument(call):
    """The expression of a call's first argument (after its label, if any)."""
    for c in call.children:
        if c.type != "call_suffix":
            continue
        for args in c.children:
            if args.type != "value_arguments":
                continue
            for arg in args.children:
                if arg.type == "value_argument":
                    exprs = [x for x in arg.children if x.is_named and x.type != "value_argument_label"]
                    return exprs[0] if exprs else None
    return None


def check_strings(trees):
    cat = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    bad, used = [], set()
    # A literal that looks like a key of one of the catalogue's namespaces must be one.
    namespaces = {k.split(".")[0] for k in cat}
    for path, tree in trees.items():
        rel = path.relative_to(ROOT)
        for n in walk(tree.root_node):
            line = n.start_point[0] + 1
            if n.type == "call_expression" and n.children and text(n.children[0]) in ("L", "T"):
                first = first_argument(n)
                if first is None:
                    continue
                args = placeholder_args(n)
                for lit in (c for c in walk(first) if c.type == "line_string_literal"):
                    if any(c.type == "interpolated_expression" for c in lit.children):
                        bad.append(f"{rel}:{line}: L(...) with an interpolated key")
                        continue
                    key = "".join(text(c) for c in lit.children if c.type == "line_str_text")
                    used.add(key)
                    if key not in cat:
                        bad.append(f"{rel}:{line}: key {key!r} is not in core/strings/en.json")
                    elif args is not None:
                        missing = set(re.findall(r"\{(\w+)\}", cat[key])) - args
                        if missing:
                            bad.append(f"{rel}:{line}: {key!r} needs {', '.join(sorted(missing))}, not given")
            elif n.type == "call_expression" and n.children and text(n.children[0]).split(".")[-1] in TEXT_VIEWS:
                first = first_argument(n)
                if first is not None and first.type == "line_string_literal":
                    bad.append(f"{rel}:{line}: {text(n.children[0]).split('.')[-1]}(\"...\") shows a literal; use L(\"key\")")
            elif n.type == "line_string_literal" and n.parent is not None and KEY.match(text(n).strip('"')) \
                    and text(n).strip('"').split(".")[0] in namespaces and text(n).strip('"') not in cat:
                bad.append(f"{rel}:{line}: key {text(n).strip(chr(34))!r} is not in core/strings/en.json")
            elif n.type == "line_str_text" and path.is_relative_to(APP) and "<" not in text(n) and re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", text(n)):
                bad.append(f"{rel}:{line}: words in a string literal ({text(n)[:30]!r}); use a catalogue key")
    bad = list(dict.fromkeys(bad))
    if not used:
        bad.append("no L(\"key\") call found: the check would prove nothing")
    return bad, len(used)


# ---------------------------------------------------------------- accessibility

CONTROLS = {"Button", "Toggle", "TextField", "SecureField", "Picker", "Link", "NavigationLink", "Slider", "Stepper"}


def check_a11y(trees):
    bad, controls = [], 0
    for path, tree in trees.items():
        if not path.is_relative_to(APP):
            continue
        rel = path.relative_to(ROOT)
        for n in walk(tree.root_node):
            line = n.start_point[0] + 1
            if n.type == "navigation_suffix" and text(n) in (".labelsHidden", ".accessibilityHidden") and \
                    n.parent is not None and re.match(r"\s*(Toggle|Button|TextField|Picker)\b", text(n.parent)):
                bad.append(f"{rel}:{line}: a control's label is hidden from VoiceOver")
            elif n.type == "navigation_suffix" and text(n) == ".labelsHidden":
                bad.append(f"{rel}:{line}: .labelsHidden() hides a label from VoiceOver")
            elif n.type == "call_expression" and n.children and text(n.children[0]) in CONTROLS:
                controls += 1
                first = first_argument(n)
                if first is not None and first.type == "line_string_literal" and text(first) == '""':
                    bad.append(f"{rel}:{line}: {text(n.children[0])} with an empty title: VoiceOver reads nothing")
            elif n.type == "call_expression" and re.search(r"\.system\(\s*size:|Font\.custom\(|\.custom\(", text(n.children[0]) if n.children else ""):
                bad.append(f"{rel}:{line}: a fixed font size; use a text style (Dynamic Type)")
    return list(dict.fromkeys(bad)), controls


# ---------------------------------------------------------------- parity


def screen_models(b):
    return sorted(m for m in b.record_methods if m.endswith("Screen") or m == "formSpec")


def check_parity(b, trees):
    bad = []
    models = screen_models(b)
    ios_src = "\n".join(text(t.root_node) for t in trees.values())
    android_src = "\n".join(p.read_text(encoding="utf-8") for d in (ANDROID_UI, ANDROID_SHARED) for p in d.glob("*.kt"))
    for m in models:
        view = SCREEN_VIEWS.get(m)
        if view is None:
            bad.append(f"screen model {m} has no view name in tools/check_ios.py SCREEN_VIEWS")
            continue
        if not (ANDROID_UI / f"{view}View.kt").is_file():
            bad.append(f"screen model {m}: no android/ui {view}View.kt")
        if not (APP / f"{view}View.swift").is_file():
            bad.append(f"screen model {m}: no ios/PhrApp/{view}View.swift")
        if not re.search(rf"\brecord\.{m}\(", ios_src):
            bad.append(f"screen model {m}: the iOS app never loads it")
        if not re.search(rf"\b{m}\(", android_src):
            bad.append(f"screen model {m}: the Android app never loads it")
    # The table: | Screen | Android file | iOS file |, each file a link or a path in backticks.
    rows = {}
    readme = SCREENS_README.read_text(encoding="utf-8") if SCREENS_README.exists() else ""
    part = readme.split("## Parity", 1)
    if len(part) < 2:
        return bad + ["docs/screens/README.md has no '## Parity' table"], models
    for line in part[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("Screen", "") or set(cells[0]) <= set("-:"):
            continue
        paths = [re.sub(r"^.*\(\.\./\.\./([^)]+)\).*$|^`([^`]+)`$", lambda m: m.group(1) or m.group(2), c) for c in cells[1:]]
        rows[cells[0]] = paths
    for screen, (kt, swift) in rows.items():
        for p, want in ((kt, f"android/ui/src/main/kotlin/org/phr/ui/{screen}View.kt"), (swift, f"ios/PhrApp/{screen}View.swift")):
            if p != want:
                bad.append(f"parity table, {screen}: {p!r} should be {want!r}")
            elif not (ROOT / p).is_file():
                bad.append(f"parity table, {screen}: {p} does not exist")
    on_disk = {p.name[: -len("View.swift")] for p in APP.glob("*View.swift")}
    on_disk |= {p.name[: -len("View.kt")] for p in ANDROID_UI.glob("*View.kt")}
    for screen in sorted(on_disk - set(rows)):
        bad.append(f"parity table lacks {screen} (a view file exists)")
    for m in models:
        if SCREEN_VIEWS.get(m) and SCREEN_VIEWS[m] not in rows:
            bad.append(f"parity table lacks {SCREEN_VIEWS[m]} (screen model {m})")
    return bad, models


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    bindings = Bindings(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if not bindings.record_methods:
        raise SystemExit(f"{sys.argv[1]}: no PhrRecordProtocol found (not the generated Swift?)")
    files = swift_files()
    trees = {p: parse(p) for p in files}
    failed = False

    def report(name, bad, ok):
        nonlocal failed
        if bad:
            failed = True
            print(f"ios {name}: FAILED")
            for b in bad[:40]:
                print(f"  {b}")
            if len(bad) > 40:
                print(f"  ... and {len(bad) - 40} more")
        else:
            print(f"ios {name}: {ok}")

    report("parse", check_parse(trees), f"{len(files)} Swift files parse with no ERROR or MISSING node")
    report("symbols", check_symbols(trees, bindings), "every binding symbol the sources use exists in the generated Swift")
    bad, used = check_strings(trees)
    report("strings", bad, f"all {used} keys used with L(...) are in core/strings/en.json; no words in literals")
    bad, controls = check_a11y(trees)
    report("a11y", bad, f"{controls} controls, none hiding its label from VoiceOver; no fixed font size")
    bad, models = check_parity(bindings, trees)
    report("parity", bad, f"{len(models)} screen models, each with a view in both shells and a row in docs/screens/README.md")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
