"""Times igraph's PageRank (PRPACK) on an edge list written by analyticstest.

Usage: igraph_pagerank.py EDGES OUT DAMPING REPEATS

EDGES is little-endian binary: int64 n, int64 m, then m int32 sources, m
int32 targets and m float64 weights, already reversed (influence flows from
the swayed to the one who sways). The script builds the igraph Graph (not
timed), calls Graph.pagerank(weights=..., damping=DAMPING,
implementation="prpack") REPEATS times, timing each call alone, writes the
last vector to OUT as n float64 and prints {"seconds": [...], "version": ...}
as JSON. Exit status 3 means igraph is not installed for this interpreter.
"""

import json
import struct
import sys
import time
from array import array

try:
    import igraph
except ImportError:
    sys.exit(3)


def main():
    path, out, damping, repeats = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    with open(path, "rb") as f:
        n, m = struct.unpack("<qq", f.read(16))
        src, dst, w = array("i"), array("i"), array("d")
        src.fromfile(f, m)
        dst.fromfile(f, m)
        w.fromfile(f, m)
    if sys.byteorder != "little":
        for a in (src, dst, w):
            a.byteswap()
    g = igraph.Graph(n=n, edges=list(zip(src, dst)), directed=True)
    g.es["weight"] = w
    weights = list(w)
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        pr = g.pagerank(weights=weights, damping=damping, implementation="prpack")
        seconds.append(time.perf_counter() - t0)
    with open(out, "wb") as f:
        array("d", pr).tofile(f)
    json.dump({"seconds": seconds, "version": igraph.__version__}, sys.stdout)


main()
