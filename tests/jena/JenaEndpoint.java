// A read-only SPARQL 1.1 Protocol endpoint over Apache Jena ARQ, for the engine tests
// (tests/servers.py compiles and starts it; Debian packages Jena but not Fuseki).
//
//   java -cp CLASSPATH JenaEndpoint PORT graph.nq
//
// Loads the N-Quads file into an in-memory dataset and answers POST /nhs-dkg/query
// (form-encoded `query=…`, or a body of type application/sparql-query) on 127.0.0.1, as
// Fuseki lays out a dataset called nhs-dkg. The dataset of a query is the protocol's:
// `default-graph-uri` and `named-graph-uri` name the graphs; without them the default
// graph is the union of the named graphs. Naming all the graphs of the file (as the tests'
// `fuseki` layout does) gets a dataset whose default graph holds the union as a copy made
// at load: ARQ's dynamic union over 19 graphs took 65 s where this takes under a second. SELECT and ASK answer SPARQL JSON; CONSTRUCT and
// DESCRIBE, N-Triples. A query runs at most TIMEOUT_S seconds; errors answer HTTP 400
// (syntax) or 500 with the message as text. GET /nhs-dkg/query?query=ASK{} works too.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.QueryParseException;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.TxnType;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.core.DatasetGraphFactory;
import org.apache.jena.sparql.core.DynamicDatasets;

public final class JenaEndpoint {
    static final long TIMEOUT_S = 120;
    static DatasetGraph data;
    static DatasetGraph merged;
    static List<Node> all = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        Dataset loaded = DatasetFactory.createTxnMem();
        RDFDataMgr.read(loaded, args[1]);
        data = loaded.asDatasetGraph();
        data.listGraphNodes().forEachRemaining(all::add);
        merged = DatasetGraphFactory.createTxnMem();
        merged.begin(TxnType.WRITE);
        data.find().forEachRemaining(q -> {
            merged.add(q);
            merged.getDefaultGraph().add(q.asTriple());
        });
        merged.commit();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 16);
        server.createContext("/nhs-dkg/query", JenaEndpoint::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("listening on " + args[0] + " with " + all.size() + " named graphs");
    }

    static void handle(HttpExchange exchange) throws IOException {
        try {
            List<String[]> params = new ArrayList<>();
            String raw = exchange.getRequestURI().getRawQuery();
            if (raw != null) parse(raw, params);
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String text = null;
            if (type != null && type.startsWith("application/sparql-query")) text = body;
            else parse(body, params);
            List<Node> defaults = new ArrayList<>();
            List<Node> named = new ArrayList<>();
            for (String[] p : params) {
                if (p[0].equals("query")) text = p[1];
                if (p[0].equals("default-graph-uri")) defaults.add(NodeFactory.createURI(p[1]));
                if (p[0].equals("named-graph-uri")) named.add(NodeFactory.createURI(p[1]));
            }
            if (text == null) {
                answer(exchange, 400, "text/plain", "no query\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            boolean described = !defaults.isEmpty() || !named.isEmpty();
            execute(exchange, text, described ? defaults : all, described ? named : all);
        } catch (QueryParseException e) {
            answer(exchange, 400, "text/plain", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            answer(exchange, 500, "text/plain", (e + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    static void execute(HttpExchange exchange, String text, List<Node> defaults, List<Node> named) throws IOException {
        Query query = QueryFactory.create(text);
        boolean whole = new HashSet<>(defaults).equals(new HashSet<>(all)) && new HashSet<>(named).equals(new HashSet<>(all));
        DatasetGraph view = whole ? merged : DynamicDatasets.dynamicDataset(defaults, named, data, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String type;
        try (QueryExecution exec = QueryExecution.create().query(query).dataset(DatasetFactory.wrap(view))
                .timeout(TIMEOUT_S, TimeUnit.SECONDS).build()) {
            if (query.isSelectType()) {
                ResultSetFormatter.outputAsJSON(out, exec.execSelect());
                type = "application/sparql-results+json";
            } else if (query.isAskType()) {
                ResultSetFormatter.outputAsJSON(out, exec.execAsk());
                type = "application/sparql-results+json";
            } else {
                RDFDataMgr.write(out, query.isConstructType() ? exec.execConstruct() : exec.execDescribe(), Lang.NTRIPLES);
                type = "application/n-triples";
            }
        }
        answer(exchange, 200, type, out.toByteArray());
    }

    static void parse(String form, List<String[]> into) {
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.add(new String[] {key, value});
        }
    }

    static void answer(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
