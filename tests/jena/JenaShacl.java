// Apache Jena's SHACL engine as an oracle for `nhskg validate` (tests/test_shacl_oracle.py
// compiles and runs it: one JVM for every run, the reference graph parsed once).
//
//   java -cp CLASSPATH JenaShacl SHAPES.nt REFERENCE.nt  < COMMANDS
//
// Parses the shapes and the reference graph (the build's statements, one graph), then
// reads a command a line from standard input, each writing Jena's validation report as
// N-Triples (reports one after the other: Jena's blank node labels are unique in a run):
//
//   whole REPORT                       the reference graph, every shape's targets
//   case HIDDEN ADDED FOCUS REPORT     the reference less every statement whose subject is
//                                      listed in HIDDEN (one IRI a line), plus ADDED's (an
//                                      N-Triples file): the graph `nhskg validate --emit-data`
//                                      writes for a submission; each node listed in FOCUS is
//                                      checked against every shape targeting it (for many
//                                      nodes: the whole graph's results about them). The
//                                      reference is restored after.
//
// It says "done" on standard output after each command.

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.graph.Triple;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

public class JenaShacl {
    /** Above this many focus nodes, one validation of the whole graph is faster than one per node. */
    static final int MANY = 20;

    public static void main(String[] args) throws IOException {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        Graph data = RDFDataMgr.loadGraph(args[1]);
        ShaclValidator validator = ShaclValidator.get();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] word = line.strip().split(" ");
            if (word[0].equals("whole")) {
                try (OutputStream out = new FileOutputStream(word[1])) {
                    RDFDataMgr.write(out, validator.validate(shapes, data).getGraph(), Lang.NTRIPLES);
                }
            } else if (word[0].equals("case")) {
                check(validator, shapes, data, word);
            } else if (!word[0].isEmpty()) {
                throw new IllegalArgumentException("unknown command: " + line);
            }
            System.out.println("done");
            System.out.flush();
        }
    }

    /** The submission laid over the reference, its focus nodes checked, the reference restored. */
    static void check(ShaclValidator validator, Shapes shapes, Graph data, String[] word) throws IOException {
        List<Triple> hidden = new ArrayList<>();
        for (String iri : lines(word[1])) {
            hidden.addAll(data.find(NodeFactory.createURI(iri), Node.ANY, Node.ANY).toList());
        }
        hidden.forEach(data::delete);
        List<Triple> added = new ArrayList<>();
        for (Triple t : RDFDataMgr.loadGraph(word[2]).find().toList()) {
            if (!data.contains(t)) {
                added.add(t);
                data.add(t);
            }
        }
        List<String> focus = lines(word[3]);
        try (OutputStream out = new FileOutputStream(word[4])) {
            if (focus.size() > MANY) {  // the whole graph's results about them: the same, faster
                Set<Node> nodes = new HashSet<>();
                focus.forEach(iri -> nodes.add(NodeFactory.createURI(iri)));
                ValidationReport.Builder kept = ValidationReport.create();
                validator.validate(shapes, data).getEntries().stream()
                    .filter(e -> nodes.contains(e.focusNode())).forEach(kept::addReportEntry);
                RDFDataMgr.write(out, kept.build().getGraph(), Lang.NTRIPLES);
            }
            for (String iri : focus.size() > MANY ? List.<String>of() : focus) {
                Graph report = validator.validate(shapes, data, NodeFactory.createURI(iri)).getGraph();
                RDFDataMgr.write(out, report, Lang.NTRIPLES);
            }
        } finally {
            added.forEach(data::delete);
            hidden.forEach(data::add);
        }
    }

    static List<String> lines(String path) throws IOException {
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                found.add(line.strip());
            }
        }
        return found;
    }
}
