"""Reference values for the analytics tests, computed with networkx 3.6.1.

networkx is an independent implementation; this script documents where each
constant in the Go tests comes from. Run: python3 reference.py
(networkx's scipy-free _pagerank_python is used where scipy is absent; it
computes the same iteration as nx.pagerank.)
"""
import math
from fractions import Fraction

import networkx as nx
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python as pagerank

PR = dict(alpha=0.85, tol=1e-10, max_iter=200)


def show(title, d, keys=None):
    print(title)
    for k in keys if keys is not None else d:
        print(f"    {k!r}: {d[k]!r},")


def undirected(path, weighted=False):
    G = nx.Graph()
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        f = line.split()
        G.add_edge(f[0], f[1], weight=float(f[2]) if weighted else 1.0)
    return G


K = undirected("karate.txt")
show("karate betweenness, unnormalised (undirected)", nx.betweenness_centrality(K, normalized=False), ["0", "33", "32", "2", "31"])
show("karate pagerank", pagerank(K, weight=None, **PR), ["0", "33", "32", "2", "11"])
show("karate eigenvector", nx.eigenvector_centrality(K), ["0", "33", "32", "2", "11"])

F = undirected("florentine.txt")
show("florentine betweenness, normalised", nx.betweenness_centrality(F))

L = undirected("lesmis.txt", weighted=True)
show("lesmis betweenness, unweighted, normalised", nx.betweenness_centrality(L), ["Valjean", "Myriel", "Gavroche", "Marius", "Fantine"])
show("lesmis pagerank, co-occurrence weights", pagerank(L, weight="weight", **PR), ["Valjean", "Myriel", "Gavroche", "Marius", "Fantine", "Napoleon"])

# Neo4j GDS PageRank documentation graph. GDS ranks the target of a link;
# networkx pagerank(G) on the links is what analytics.PageRank computes on the
# reversed links.
links = [("Home", "About", 0.2), ("Home", "Links", 0.2), ("Home", "Product", 0.6),
         ("About", "Home", 1.0), ("Product", "Home", 1.0), ("Site A", "Home", 1.0),
         ("Site B", "Home", 1.0), ("Site C", "Home", 1.0), ("Site D", "Home", 1.0),
         ("Links", "Home", 0.8), ("Links", "Site A", 0.05), ("Links", "Site B", 0.05),
         ("Links", "Site C", 0.05), ("Links", "Site D", 0.05)]
W = nx.DiGraph()
W.add_weighted_edges_from(links)
show("gds pagerank graph, unweighted", pagerank(W, weight=None, **PR))
show("gds pagerank graph, weighted", pagerank(W, weight="weight", **PR))

# A small directed weighted influence graph (A sways B, ...): PageRank on the
# reversed graph, personalised PageRank, eigenvector, betweenness on -ln w.
D = nx.DiGraph()
D.add_weighted_edges_from([("A", "B", 0.9), ("A", "C", 0.6), ("B", "C", 0.8), ("C", "D", 0.7),
                           ("D", "A", 0.3), ("D", "E", 0.9), ("E", "B", 0.4), ("B", "E", 0.5),
                           ("E", "F", 1.0), ("F", "D", 0.2)])
R = D.reverse()
show("directed pagerank (reversed)", pagerank(R, weight="weight", **PR))
p = {"C": 1, "E": 1}
show("directed personalised pagerank, sources C,E", pagerank(R, weight="weight", personalization=p, dangling=p, **PR))
show("directed eigenvector (reversed)", nx.eigenvector_centrality(R, weight="weight"))
for u, v, d in D.edges(data=True):
    d["length"] = -math.log(d["weight"])
show("directed betweenness, length -ln w, normalised", nx.betweenness_centrality(D, weight="length"))
show("directed betweenness, length -ln w, unnormalised", nx.betweenness_centrality(D, weight="length", normalized=False))

# Closed form for the hand-checked graph of TestPageRankDirection.
a = Fraction(17, 20)
# x = (1-a)/3 + a*M x with: A gets B's whole reversed mass and 3/4 of C's,
# B gets 1/4 of C's, A is dangling (nobody sways A) and spreads uniformly.
import itertools
xa, xb, xc = [Fraction(1, 3)] * 3
# Solve the 3x3 linear system exactly.
# xa = t + a*(xb + 3/4 xc) + a*xa/3 ; xb = t + a*xc/4 + a*xa/3 ; xc = t + a*xa/3, t = (1-a)/3
t = (1 - a) / 3
# xc = t + a xa/3 ; xb = t + a/4 (t + a xa/3) + a xa/3
# xa = t + a*xb + 3a/4 xc + a xa/3
c_x = a / 3
xc_c, xc_k = c_x, t                      # xc = xc_c*xa + xc_k
xb_c, xb_k = a / 4 * xc_c + a / 3, t + a / 4 * xc_k
coef = a * xb_c + 3 * a / 4 * xc_c + a / 3
const = t + a * xb_k + 3 * a / 4 * xc_k
xa = const / (1 - coef)
xb = xb_c * xa + xb_k
xc = xc_c * xa + xc_k
print("hand graph exact:", xa, xb, xc, float(xa), float(xb), float(xc), "sum", xa + xb + xc)
H = nx.DiGraph()
H.add_weighted_edges_from([("A", "B", 1.0), ("A", "C", 0.9), ("B", "C", 0.3)])
show("hand graph, networkx", pagerank(H.reverse(), weight="weight", **PR))
