#!/usr/bin/env python3
"""dbdump.py DB [RUN] - every row a run of results.db holds, for comparing runs.

Prints the rows of the run (the latest complete sweep when RUN is not
given) through the documented views (v_points, v_metrics, v_pareto,
v_chosen, v_best, v_curves, v_regions, v_swaps, v_trace, v_validation,
v_knobs, v_groups, v_intervals, v_kv_curves)
and the sweep's own tables (sweeps, chunks), one line per row in key
order, run_id left out, reals as repr() (every bit), then the run's row
without what differs between identical runs: timestamps, the path, the
thread and rank counts.  Two runs hold the same results when their dumps
are equal.
"""
import sqlite3
import sys

QUERIES = [
    ("v_points", "point_id"),
    ("v_metrics", "point_id, source, length"),
    ("v_pareto", "point_id"),
    ("v_chosen", "point_id"),
    ("v_best", "mode"),
    ("v_curves", "point_id, metric, length"),
    ("v_regions", "point_id, region"),
    ("v_swaps", "point_id, source"),
    ("v_trace", "point_id, seq"),
    ("v_validation", "seq"),
    ("v_knobs", "mode, knob, value_index"),
    ("v_groups", "representative"),
    ("v_intervals", "point_id, source, figure, length"),
    ("v_kv_curves", "point_id, kv_precision, kv_window, kv_sinks, kv_tier_region, length"),
    ("chunks", "chunk_id"),
    ("sweeps", "run_id"),
]
RUN_COLS = "config_sha256, kind, status, n_points, n_feasible, tool_version, model_fingerprint"


def fmt(v):
    if v is None:
        return "NULL"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def main():
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    if len(sys.argv) > 2:
        run = int(sys.argv[2])
    else:
        row = db.execute("SELECT max(run_id) FROM runs WHERE kind = 'sweep' AND status = 'complete'").fetchone()
        if row[0] is None:
            sys.exit("%s: no complete sweep" % sys.argv[1])
        run = row[0]
    out = sys.stdout
    for table, order in QUERIES:
        cur = db.execute("SELECT * FROM %s WHERE run_id = ? ORDER BY %s" % (table, order), (run,))
        cols = [d[0] for d in cur.description]
        keep = [i for i, c in enumerate(cols) if c != "run_id"]
        out.write("# %s (%s)\n" % (table, ", ".join(cols[i] for i in keep)))
        for row in cur:
            out.write("|".join(fmt(row[i]) for i in keep) + "\n")
    cur = db.execute("SELECT %s FROM runs WHERE run_id = ?" % RUN_COLS, (run,))
    out.write("# runs (%s)\n" % RUN_COLS)
    for row in cur:
        out.write("|".join(fmt(v) for v in row) + "\n")


if __name__ == "__main__":
    main()
