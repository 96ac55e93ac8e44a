"""``make load``'s readers: a wrk Lua script rotating through the reader pages, its figures,
and gunicorn's access log read back per page."""

import json
import statistics
import subprocess

from trials.load.stage import LOAD

# Each wrk thread takes the next path for each request; response() counts status classes,
# and done() gathers them from the threads and prints every figure as one JSON line.
SCRIPT = """-- make load (trials.load): readers rotating through the site's pages.
paths = {%(paths)s}
threads = {}

function setup(thread)
   thread:set("turn", #threads)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function request()
   turn = turn + 1
   return wrk.format("GET", paths[turn %% #paths + 1])
end

function response(status, headers, body)
   local class = math.floor(status / 100) .. "xx"
   statuses[class] = (statuses[class] or 0) + 1
end

function done(summary, latency, requests)
   local classes, parts = {}, {}
   for _, thread in ipairs(threads) do
      for class, n in pairs(thread:get("statuses")) do
         classes[class] = (classes[class] or 0) + n
      end
   end
   for class, n in pairs(classes) do
      table.insert(parts, string.format('"%%s": %%d', class, n))
   end
   local e = summary.errors
   io.write(string.format('load-json {"requests": %%d, "duration_us": %%d, "bytes": %%d, '
      .. '"errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, '
      .. '"status": %%d}, "latency_us": {"p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, '
      .. '"mean": %%d}, "statuses": {%%s}}\\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
      e.timeout, e.status, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, table.concat(parts, ", ")))
end
"""


def write_script(paths):
    path = LOAD / "readers.lua"
    path.write_text(SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
    return path


class Readers:
    """wrk in the background; ``finish()`` waits for it and returns its figures."""

    def __init__(self, binary, base, paths, *, threads, connections, seconds, timeout):
        argv = [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            f"{timeout}s",
            "-s",
            str(write_script(paths)),
            base + "/",
        ]
        self.command = " ".join(["wrk", *argv[1:-3]])
        self.log_path = LOAD / "wrk.log"
        with open(self.log_path, "w") as output:  # wrk keeps its own copy
            output.write(f"$ {' '.join(argv)}\n")
            output.flush()
            self.popen = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)

    def running(self):
        return self.popen.poll() is None

    def stop(self):
        """Stop wrk early (the run failed or was interrupted)."""
        if self.running():
            self.popen.terminate()
            self.popen.wait()

    def finish(self):
        self.popen.wait()
        text = self.log_path.read_text(errors="replace")
        line = next((line for line in text.splitlines() if line.startswith("load-json ")), None)
        if self.popen.returncode or line is None:
            raise RuntimeError(f"wrk failed ({self.popen.returncode}):\n{text[-2000:]}")
        figures = json.loads(line.removeprefix("load-json "))
        figures["command"] = self.command
        seconds = figures["duration_us"] / 1e6
        figures["rps"] = round(figures["requests"] / seconds, 1) if seconds else 0.0
        figures["latency_ms"] = {
            key: round(value / 1000, 1) for key, value in figures.pop("latency_us").items()
        }
        figures["socket_errors"] = sum(
            figures["errors"][key] for key in ("connect", "read", "write", "timeout")
        )
        figures["bad_responses"] = sum(
            n for key, n in figures["statuses"].items() if key not in ("2xx", "3xx")
        )
        return figures


def access_log_size():
    return (LOAD / "access.log").stat().st_size


def served(start, end=None):
    """gunicorn's access log lines from byte ``start`` to ``end``: (status, microseconds,
    page-cache header, path) of each request."""
    with open(LOAD / "access.log", "rb") as log_file:
        log_file.seek(start)
        text = log_file.read(-1 if end is None else end - start).decode(errors="replace")
    return [line.split(" ", 3) for line in text.splitlines()]


def summary(requests):
    """Requests, responses other than 2xx/3xx, page-cache hits and the server's own time
    (p50, p99 in ms) of ``served()`` lines."""
    times = sorted(int(micros) for _, micros, _, _ in requests)
    return {
        "requests": len(requests),
        "bad": sum(not status.startswith(("2", "3")) for status, _, _, _ in requests),
        "hits": sum(cache == "hit" for _, _, cache, _ in requests),
        "server_p50_ms": round(statistics.median(times) / 1000, 1) if times else None,
        "server_p99_ms": round(times[int(len(times) * 0.99)] / 1000, 1) if times else None,
    }


def per_page(requests):
    by_path = {}
    for request in requests:
        by_path.setdefault(request[3], []).append(request)
    return {path: summary(lines) for path, lines in by_path.items()}
