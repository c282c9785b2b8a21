"""Print benchmarks/http_bench.sh's figures from wrk's outputs: req/s, p50, p99 and the ratios.

    wrk_table.py RESULTS_DIR

RESULTS_DIR holds one ``<target>-c<connections>.txt`` per run (``wrk --latency`` output).
It prints figures and says whether each ratio meets its target; it asserts nothing.
"""

import re
import sys
from pathlib import Path

TARGETS = {
    "floor": "Django floor view, same bytes (gunicorn)",
    "article": "article page (gunicorn)",
    "api-article": "API article detail, JSON (gunicorn)",
    "varnish-article": "article page through Varnish (hit)",
    "varnish-static": "static copy through Varnish (hit)",
}
RATIOS = (
    ("article", "floor", 0.5, "article / Django floor, gunicorn"),
    ("api-article", "article", None, "API article detail / article page, gunicorn"),
    ("varnish-article", "varnish-static", 0.8, "article / static copy, through Varnish"),
)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def parse(path: Path) -> dict:
    text = path.read_text()
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: (.*)$", text, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1)),
        "p50": milliseconds(latency["50"]),
        "p99": milliseconds(latency["99"]),
        "errors": (int(errors.group(1)) if errors else 0),
        "sockets": sockets.group(1) if sockets else "",
    }


def main(results: Path) -> None:
    runs = {}
    for path in sorted(results.glob("*-c*.txt")):
        target, connections = re.fullmatch(r"(.+)-c(\d+)\.txt", path.name).groups()
        runs[target, int(connections)] = parse(path)
    levels = sorted({connections for _, connections in runs})
    print(f"| {'path':<42} | {'c':>3} | {'req/s':>9} | {'p50':>9} | {'p99':>9} | non-2xx |")
    print(f"|{'-' * 44}|{'-' * 5}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 9}|")
    for target, label in TARGETS.items():
        for connections in levels:
            run = runs.get((target, connections))
            if run is None:
                continue
            note = f" ({run['sockets']})" if run["sockets"] else ""
            print(
                f"| {label:<42} | {connections:>3} | {run['rps']:>9.0f} | {run['p50']:>7.2f}ms | "
                f"{run['p99']:>7.2f}ms | {run['errors']:>7} |{note}"
            )
    print()
    for numerator, denominator, target, label in RATIOS:
        for connections in levels:
            top, bottom = runs.get((numerator, connections)), runs.get((denominator, connections))
            if not top or not bottom:
                continue
            ratio = top["rps"] / bottom["rps"]
            if target is None:
                print(f"{label}, c={connections}: {ratio:.3f}")
                continue
            verdict = "meets" if ratio >= target else "below"
            print(f"{label}, c={connections}: {ratio:.3f} ({verdict} the {target} target)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
