#!/usr/bin/env python3
"""Checks a man page against the --help of the program it documents.

Usage: check_man_page.py PROGRAM MAN_PAGE

Fails (exit 1, naming each difference) when an option or subcommand that
`PROGRAM --help` (and `PROGRAM SUBCOMMAND --help` for each subcommand it
lists) prints is missing from the man page, or when the man page names a
--long-option the program does not have. So the page cannot drift from the
binary: a new flag without documentation, or documentation of a removed flag,
fails the test.
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def run_help(argv):
    p = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} --help exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def help_options(text):
    """Long options of the Options: section (lines that start with '-')."""
    opts, section = set(), None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Za-z ]*:\s*$", line):
            section = line.strip().rstrip(":")
            continue
        if section and section.startswith(("Options", "Flags")):
            m = re.match(r"^\s+(-\w,)?(--[a-z][a-z0-9-]*)", line)
            if m:
                opts.add(m.group(2))
    return opts


def help_subcommands(text):
    """Names listed in the Subcommands: section, up to the next blank line."""
    subs, in_section = [], False
    for line in text.splitlines():
        if re.match(r"^Subcommands:\s*$", line):
            in_section = True
        elif in_section:
            m = re.match(r"^\s+([a-z][a-z0-9_-]*)\s", line)
            if not m:
                break
            subs.append(m.group(1))
    return subs


def man_text(path):
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    # Drop comments, font escapes and the \- minus escape: what a reader sees.
    text = re.sub(r'(?m)^\.\\".*$', "", raw)
    text = re.sub(r"\\f[BIRP]", "", text)
    text = text.replace("\\-", "-").replace("\\(em", "-")
    return text


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    program, page = sys.argv[1], sys.argv[2]
    top = run_help([program])
    options = help_options(top)
    subs = help_subcommands(top)
    for sub in subs:
        options |= help_options(run_help([program, sub]))
    if not options:
        sys.exit(f"no options found in {program} --help: the parser is out of date")
    man = man_text(page)
    man_options = set(OPTION.findall(man))
    problems = []
    for opt in sorted(options - man_options):
        problems.append(f"{page}: option {opt} (in --help) is not documented")
    for opt in sorted(man_options - options):
        problems.append(f"{page}: documents {opt}, which {program} --help does not have")
    for sub in subs:
        if not re.search(r"(?m)(^|[\s,|])" + re.escape(sub) + r"\b", man):
            problems.append(f"{page}: subcommand {sub} (in --help) is not documented")
    name = program.rsplit("/", 1)[-1]
    if not re.search(r"(?m)^\.TH\s+" + re.escape(name.upper()) + r"\s", open(page).read()):
        problems.append(f"{page}: .TH does not name {name.upper()}")
    for p in problems:
        print(p)
    print(f"{page}: {len(options)} options, {len(subs)} subcommands checked against "
          f"{name} --help; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
