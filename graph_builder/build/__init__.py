"""The build: registers in, the canonical dataset out (graph.nq, graph.trig, the embedded
store, the manifest), register by register in bounded memory, incremental where it can be."""
