"""The shared core every stage may use, and which uses no stage: errors with their exit
codes, IRI minting, RDF terms, the shipped resources, and writing files and folders safely."""
