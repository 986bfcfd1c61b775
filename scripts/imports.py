#!/usr/bin/env python3
"""The import graph of src/, file to file, and the circles in it.

An arrow runs from a file to each module it names (`crate::a::b`, `super::x`, `self::x`, in
`use` lines and in paths), resolved to the file that defines that module. Comments and strings are
left out. Prints the number of files and arrows, then each circle (files that import each other,
directly or round about) with its files. Exits 1 if there is a circle.

    python3 scripts/imports.py            # the summary and the circles
    python3 scripts/imports.py --arrows   # every arrow too
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_of(path):
    rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"'(?:\\.|[^'\\])'", "' '", text)
    text = re.sub(r'\br(#+)"(?:.|\n)*?"\1', '""', text)
    text = re.sub(r'\br"[^"]*"', '""', text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def files():
    for folder, _, names in os.walk(ROOT):
        for name in names:
            if name.endswith(".rs"):
                yield os.path.join(folder, name)


def paths_named(text, module):
    """Module paths a file names, absolute from the crate root."""
    found = set()
    for match in re.finditer(r"\b(crate|super|self)((?:::\w+)+)", text):
        head, rest = match.group(1), match.group(2).split("::")[1:]
        if head == "crate":
            base = []
        elif head == "self":
            base = list(module)
        else:
            base = list(module[:-1])
            while rest and rest[0] == "super":
                base, rest = base[:-1], rest[1:]
        found.add(tuple(base + rest))
    # `use crate::x::{a, b::c}`: each name inside the braces too.
    for match in re.finditer(r"\buse\s+crate((?:::\w+)*)::\{([^;]*)\};", text):
        prefix = match.group(1).split("::")[1:]
        for item in re.split(r"[,{}\s]+", match.group(2)):
            if item and item != "self":
                found.add(tuple(prefix + item.split("::")))
    return found


def graph():
    modules = {module_of(p): os.path.relpath(p, os.path.join(ROOT, "..")) for p in files()}
    arrows = {}
    for module, path in modules.items():
        text = strip(open(os.path.join(ROOT, "..", path), encoding="utf-8").read())
        targets = set()
        for named in paths_named(text, module):
            for cut in range(len(named), 0, -1):
                if named[:cut] in modules:
                    target = modules[named[:cut]]
                    if target != path:
                        targets.add(target)
                    break
        arrows[path] = targets
    return arrows


def circles(arrows):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for nxt in sorted(arrows.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(arrows):
        if node not in index:
            visit(node)
    return found


def main():
    arrows = graph()
    found = circles(arrows)
    print(f"{len(arrows)} files, {sum(len(t) for t in arrows.values())} arrows, {len(found)} circles")
    for component in found:
        print(f"circle of {len(component)}: {' '.join(component)}")
    if "--arrows" in sys.argv:
        for source in sorted(arrows):
            for target in sorted(arrows[source]):
                print(f"{source} -> {target}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
