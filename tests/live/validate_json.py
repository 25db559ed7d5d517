#!/usr/bin/python3
"""Checks every line of a file of JSON lines against a JSON Schema (Debian's
python3-jsonschema): validate_json.py SCHEMA FILE. Prints how many lines
passed, or the first failures with their line numbers; exit 0 when every
line is valid and there is at least one, 1 otherwise, 2 on bad usage."""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) != 3:
        print("usage: validate_json.py SCHEMA FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    good = bad = 0
    with open(sys.argv[2]) as f:
        for n, line in enumerate(f, 1):
            try:
                doc = json.loads(line)
            except ValueError as e:
                bad += 1
                print(f"line {n}: not JSON: {e}")
                continue
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            if not errors:
                good += 1
                continue
            bad += 1
            if bad <= 3:
                for e in errors[:3]:
                    path = "/".join(str(p) for p in e.absolute_path)
                    print(f"line {n}: {path or '(top)'}: {e.message[:200]}")
    print(f"{good} valid, {bad} invalid")
    return 0 if good and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
