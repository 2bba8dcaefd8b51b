// Apache Jena's SHACL engine as an oracle for `nhskg validate` (tests/test_shacl_oracle.py
// compiles and runs it; one JVM for many data graphs, so CI starts Java once).
//
//   java -cp CLASSPATH JenaShacl SHAPES.nt DATA.nt FOCUS.txt REPORT.nt [DATA FOCUS REPORT ...]
//
// Parses the shapes once, then for each data graph (the file's triples: one graph) writes
// Jena's validation report as N-Triples: of the whole graph if FOCUS is "-", otherwise of
// each node listed in FOCUS (one IRI a line; Jena checks it against every shape targeting
// it), the reports one after the other (Jena's blank node labels are unique in a run).

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;

public class JenaShacl {
    public static void main(String[] args) throws IOException {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        ShaclValidator validator = ShaclValidator.get();
        for (int i = 1; i + 2 < args.length; i += 3) {
            Graph data = RDFDataMgr.loadGraph(args[i]);
            try (OutputStream out = new FileOutputStream(args[i + 2])) {
                if (args[i + 1].equals("-")) {
                    RDFDataMgr.write(out, validator.validate(shapes, data).getGraph(), Lang.NTRIPLES);
                    continue;
                }
                for (String line : Files.readAllLines(Paths.get(args[i + 1]), StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        Graph report = validator.validate(shapes, data, NodeFactory.createURI(line.strip())).getGraph();
                        RDFDataMgr.write(out, report, Lang.NTRIPLES);
                    }
                }
            }
        }
    }
}
