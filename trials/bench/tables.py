"""The table ``make bench`` prints: its rows and each target's PASS or MISS."""


def verdict(ok):
    return "PASS" if ok else "MISS"


def number(value, digits=0):
    return f"{value:,.{digits}f}" if value is not None else "-"


class Table:
    def __init__(self):
        self.rows = []
        self.targets = []

    def section(self, title):
        self.rows.append(("section", title))

    def row(self, figure, value, *, p50=None, p99=None, cpu=None, ratio=None, target="", ok=None):
        result = "" if ok is None else verdict(ok)
        self.rows.append(
            (
                "row",
                figure,
                value,
                number(p50, 1) if p50 is not None else "",
                number(p99, 1) if p99 is not None else "",
                number(cpu, 1) if cpu is not None else "",
                f"{ratio:.2f}x" if ratio is not None else "",
                target,
                result,
            )
        )
        if ok is not None:
            self.targets.append(
                {"figure": figure, "value": value, "target": target, "result": result}
            )

    def render(self):
        header = ("figure", "value", "p50 ms", "p99 ms", "CPU ms", "vs ceiling", "target", "result")
        widths = [44, 24, 7, 7, 6, 10, 20, 6]
        lines = [
            "  ".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True)),
            "  ".join("-" * w for w in widths),
        ]
        for row in self.rows:
            if row[0] == "section":
                lines.append(row[1])
                continue
            cells = row[1:]
            lines.append(
                "  ".join(f"{str(c):<{w}}" for c, w in zip(cells, widths, strict=True)).rstrip()
            )
        return "\n".join(lines)
