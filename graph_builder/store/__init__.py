"""Where the graph is kept and asked: the embedded pyoxigraph store, remote SPARQL servers,
pushing a build to one and serving one, and the read-only SPARQL policy."""
