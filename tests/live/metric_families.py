#!/usr/bin/python3
"""The metric families a /metrics scrape has (its # TYPE lines) against the
families README.md's "Prometheus" section and the man page's PROMETHEUS
section name: metric_families.py README MANPAGE SCRAPE. Prints one line per
family missing on either side; exit 0 when the three lists are the same."""
import re
import sys

NAME = r"(?:flowtally|process)_"


def expand(token):
    """flowtally_seen_{packets,bytes}_total: both names."""
    m = re.search(r"\{([a-z0-9,]+)\}", token)
    if not m:
        return [token]
    return [n for alt in m.group(1).split(",")
            for n in expand(token[:m.start()] + alt + token[m.end():])]


def section(text, start, next_heading):
    i = text.index(start)
    j = text.find(next_heading, i + len(start))
    return text[i:j if j >= 0 else len(text)]


def readme_families(path):
    sec = section(open(path).read(), "\n## Prometheus\n", "\n## ")
    # a brace group is a family-name alternative only when the name goes on
    # after it; {iface,direction} after a name are its labels
    tokens = re.findall(NAME + r"(?:[a-z0-9_]|\{[a-z0-9,]+\}(?=_))*[a-z0-9]", sec)
    return {n for t in tokens for n in expand(t)}


def man_families(path):
    sec = section(open(path).read(), "\n.SH PROMETHEUS", "\n.SH ")
    sec = re.sub(r"\\f[BRIP]", "", sec)
    return set(re.findall(NAME + r"[a-z0-9_]*[a-z0-9]", sec))


def scrape_families(path):
    return set(re.findall(r"^# TYPE (\S+) ", open(path).read(), re.M))


def main():
    if len(sys.argv) != 4:
        print("usage: metric_families.py README MANPAGE SCRAPE", file=sys.stderr)
        return 2
    docs = {"README.md": readme_families(sys.argv[1]), "the man page": man_families(sys.argv[2])}
    served = scrape_families(sys.argv[3])
    bad = 0
    for doc, names in docs.items():
        for n in sorted(served - names):
            print(f"{n}: served, not in {doc}")
            bad += 1
        for n in sorted(names - served):
            print(f"{n}: in {doc}, not served")
            bad += 1
    if not served:
        print("the scrape has no # TYPE line")
        bad += 1
    print(f"{len(served)} families served")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
