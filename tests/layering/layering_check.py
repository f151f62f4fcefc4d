#!/usr/bin/env python3
"""tests/layering/layering_check.py - Checks the layers by what each file includes.

    python3 tests/layering/layering_check.py [ROOT]     (exit 1 and one line per violation)

The rules (README "Layout", ../shared/STYLE.md section 1):
- core/base includes nothing of ours outside core/base;
- core/<module> includes only core/base and the modules core/CMakeLists.txt lets it link
  (`ec_library(ec_<module> <module> DEPS ...)`, followed transitively), never platform/ or
  firmware/, and no operating-system header (unistd.h, sys/..., pthread.h, curl/...);
- platform/ includes only core/base and platform/;
- firmware/, tests/ and bench/ may include anything.
Each violation is printed as `path:line: <file> may not include <header> (<rule>)`.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
LIBRARY = re.compile(r"ec_library\(\s*ec_(\w+)\s+(\w+)(?:\s+RECURSE)?(?:\s+DEPS\s+([^)]*))?\)")
# Headers of the operating system or of the one OS-facing library: platform/ only.
OS_HEADERS = re.compile(r"^(unistd\.h|fcntl\.h|sys/.*|pthread\.h|dirent\.h|signal\.h|spawn\.h|"
                        r"poll\.h|netdb\.h|arpa/.*|netinet/.*|termios\.h|dlfcn\.h|syslog\.h|"
                        r"linux/.*|curl/.*|errno\.h)$")


def module_deps(root):
    """{module: set of core modules it may include}, from core/CMakeLists.txt, transitive."""
    direct = {}
    with open(os.path.join(root, "core", "CMakeLists.txt")) as cmake:
        text = re.sub(r"#[^\n]*", "", cmake.read())
    for name, folder, deps in LIBRARY.findall(text):
        direct[folder] = {d[len("ec_"):] for d in (deps or "").split() if d.startswith("ec_")}
    allowed = {}
    for module in direct:
        seen, stack = set(), [module]
        while stack:
            for dep in direct.get(stack.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        allowed[module] = seen
    return allowed


def sources(root, top):
    for folder, _, names in os.walk(os.path.join(root, top)):
        for name in sorted(names):
            if name.endswith((".h", ".cpp", ".c")):
                yield os.path.join(folder, name)


def violations(root):
    """Yields one text per include that breaks a rule."""
    allowed = module_deps(root)
    for top in ("core", "platform"):
        for path in sources(root, top):
            relative = os.path.relpath(path, root)
            parts = relative.split(os.sep)
            module = parts[1] if top == "core" and len(parts) > 2 else None
            with open(path, errors="replace") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    quote, header = match.groups()
                    rule = None
                    if quote == "<":
                        if OS_HEADERS.match(header) and top == "core":
                            rule = "core/ names no operating-system header: platform/ does"
                    elif top == "platform":
                        if not header.startswith(("core/base/", "platform/")):
                            rule = "platform/ depends on core/base only"
                    elif module == "base":
                        if not header.startswith("core/base/"):
                            rule = "core/base includes nothing of ours outside it"
                    elif header.startswith(("platform/", "firmware/")):
                        rule = "core/ never includes platform/ or firmware/"
                    elif header.startswith("core/"):
                        target = header.split("/")[1]
                        if target not in ("base", module) and target not in allowed.get(module, ()):
                            rule = "core/%s does not link ec_%s (core/CMakeLists.txt)" % (
                                module, target)
                    if rule:
                        yield "%s:%d: %s may not include %s (%s)" % (relative, number, relative,
                                                                     header, rule)


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    found = list(violations(root))
    for text in found:
        print(text)
    print("layering: %d violation%s" % (len(found), "" if len(found) == 1 else "s"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
