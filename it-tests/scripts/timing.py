"""The timing loop the peer benchmarks share (standard library only, so any interpreter can import it)."""
import statistics
import time


def measure(run, seconds, warmup_seconds=5.0, min_warmups=0, min_runs=5):
    """Warms up for min(warmup_seconds, seconds) (and at least min_warmups calls), then times run() for
    `seconds` (and at least min_runs calls). Returns the runs, the median and the p90 in milliseconds."""
    end = time.perf_counter() + min(warmup_seconds, seconds)
    warmups = 0
    while time.perf_counter() < end or warmups < min_warmups:
        run()
        warmups += 1
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < min_runs:
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"runs": len(times), "median_ms": round(statistics.median(times), 3), "p90_ms": round(times[int(0.9 * len(times)) - 1], 3)}
