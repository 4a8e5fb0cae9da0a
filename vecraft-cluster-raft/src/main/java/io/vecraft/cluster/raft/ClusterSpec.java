package io.vecraft.cluster.raft;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape of a raft cluster: its data partitions and its nodes with their roles and addresses.
 * Every node program is started with the same spec (a properties file, see
 * {@link #fromProperties}); the first node to start stores it in etcd at {@link #KEY} and the
 * others check that theirs is identical, so a cluster cannot be started with two different shapes.
 * Clients read it from etcd.
 *
 * <p>Stored form (UTF-8 text, one item per line):
 * <pre>
 * vecraft-raft-cluster 1
 * dataPartitions &lt;n&gt;
 * node &lt;id&gt; &lt;roles, comma-separated&gt; grpc=&lt;host:port&gt; raft=&lt;host:port or -&gt;
 * ...
 * </pre>
 * Partitions are {@code system, tx, data-0 .. data-(n-1)} (the core's layout). Roles: {@code journal}
 * (a member of every partition's Raft group), {@code storage} (hosts shard replicas). Storage nodes
 * are listed in spec order, which is the core's placement order.
 *
 * @param dataPartitions number of data partitions
 * @param nodes          the nodes
 */
public record ClusterSpec(int dataPartitions, List<Node> nodes) {
    /** Metadata key of the stored spec (inside the cluster's namespace). */
    public static final String KEY = "/vecraft/raft/cluster";
    /** Prefix of leader records: {@code /vecraft/raft/leaders/<partition>}. */
    public static final String LEADERS = "/vecraft/raft/leaders/";
    /** Role: member of every journal partition's Raft group. */
    public static final String JOURNAL = "journal";
    /** Role: hosts shard replicas. */
    public static final String STORAGE = "storage";

    private static final String MAGIC = "vecraft-raft-cluster 1";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._-]+:[0-9]{1,5}");

    /**
     * A node of the cluster.
     *
     * @param id    node id
     * @param roles its roles
     * @param grpc  {@code host:port} of its gRPC transport
     * @param raft  {@code host:port} of its Ratis server (journal nodes), else empty
     */
    public record Node(String id, Set<String> roles, String grpc, String raft) {
        /** Validates and copies. */
        public Node {
            if (id == null || !ID.matcher(id).matches()) {
                throw new InvalidArgumentException("node.id", "must match " + ID + ", was '" + id + "'");
            }
            roles = Set.copyOf(new LinkedHashSet<>(roles));
            if (roles.isEmpty() || !Set.of(JOURNAL, STORAGE).containsAll(roles)) {
                throw new InvalidArgumentException("node." + id + ".roles", "must be journal and/or storage, was " + roles);
            }
            if (grpc == null || !HOST_PORT.matcher(grpc).matches()) {
                throw new InvalidArgumentException("node." + id + ".grpc", "must be host:port, was '" + grpc + "'");
            }
            if (roles.contains(JOURNAL) && (raft == null || !HOST_PORT.matcher(raft).matches())) {
                throw new InvalidArgumentException("node." + id + ".raft", "a journal node needs host:port, was '" + raft + "'");
            }
            raft = raft == null ? "" : raft;
        }

        /** @return true if it has the role */
        public boolean has(String role) {
            return roles.contains(role);
        }
    }

    /** Validates and copies. */
    public ClusterSpec {
        nodes = List.copyOf(nodes);
        if (dataPartitions < 1 || dataPartitions > 64) {
            throw new InvalidArgumentException("dataPartitions", "must be 1 to 64, was " + dataPartitions);
        }
        if (nodes.stream().map(Node::id).distinct().count() != nodes.size()) {
            throw new InvalidArgumentException("nodes", "ids must be unique");
        }
        if (nodes.stream().noneMatch(n -> n.has(JOURNAL))) {
            throw new InvalidArgumentException("nodes", "at least one node must have the journal role");
        }
        if (nodes.stream().noneMatch(n -> n.has(STORAGE))) {
            throw new InvalidArgumentException("nodes", "at least one node must have the storage role");
        }
    }

    /** @return partition names in id order: system, tx, data-0, ... */
    public List<String> partitions() {
        List<String> out = new ArrayList<>(dataPartitions + 2);
        out.add("system");
        out.add("tx");
        for (int i = 0; i < dataPartitions; i++) {
            out.add("data-" + i);
        }
        return List.copyOf(out);
    }

    /** @return journal nodes, in spec order */
    public List<Node> journalNodes() {
        return nodes.stream().filter(n -> n.has(JOURNAL)).toList();
    }

    /** @return storage nodes, in spec order (the core's placement order) */
    public List<Node> storageNodes() {
        return nodes.stream().filter(n -> n.has(STORAGE)).toList();
    }

    /**
     * @param id node id
     * @return the node, if in the spec
     */
    public Optional<Node> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /**
     * Reads a spec from node-program properties:
     * <pre>
     * dataPartitions=2
     * nodes=n1,n2,n3
     * node.n1.roles=journal,storage
     * node.n1.grpc=127.0.0.1:7101
     * node.n1.raft=127.0.0.1:7201
     * </pre>
     *
     * @param p the properties
     * @return the spec
     */
    public static ClusterSpec fromProperties(Properties p) {
        String ids = p.getProperty("nodes");
        if (ids == null || ids.isBlank()) {
            throw new InvalidArgumentException("nodes", "must list the node ids, e.g. nodes=n1,n2,n3");
        }
        List<Node> nodes = new ArrayList<>();
        for (String raw : ids.split(",")) {
            String id = raw.trim();
            String roles = p.getProperty("node." + id + ".roles", JOURNAL + "," + STORAGE);
            nodes.add(new Node(id, roleSet(roles), p.getProperty("node." + id + ".grpc"),
                    p.getProperty("node." + id + ".raft")));
        }
        int data;
        try {
            data = Integer.parseInt(p.getProperty("dataPartitions", "2").trim());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("dataPartitions", "must be an integer, was '" + p.getProperty("dataPartitions") + "'");
        }
        return new ClusterSpec(data, nodes);
    }

    private static Set<String> roleSet(String roles) {
        Set<String> out = new LinkedHashSet<>();
        for (String r : roles.split(",")) {
            if (!r.isBlank()) {
                out.add(r.trim());
            }
        }
        return out;
    }

    /** @return the stored form */
    public byte[] encode() {
        StringBuilder b = new StringBuilder(MAGIC).append('\n').append("dataPartitions ").append(dataPartitions).append('\n');
        for (Node n : nodes) {
            b.append("node ").append(n.id()).append(' ').append(String.join(",", n.roles().stream().sorted().toList()))
                    .append(" grpc=").append(n.grpc()).append(" raft=").append(n.raft().isEmpty() ? "-" : n.raft())
                    .append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param bytes the stored form
     * @return the spec
     * @throws CorruptedDataException if it is not a spec of this version
     */
    public static ClusterSpec decode(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 2 || !lines[0].equals(MAGIC) || !lines[1].startsWith("dataPartitions ")) {
            throw new CorruptedDataException("etcd " + KEY, 0, "not a raft cluster spec (expected '" + MAGIC + "')");
        }
        int data = Integer.parseInt(lines[1].substring("dataPartitions ".length()).trim());
        List<Node> nodes = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f.length != 5 || !f[0].equals("node") || !f[3].startsWith("grpc=") || !f[4].startsWith("raft=")) {
                throw new CorruptedDataException("etcd " + KEY, i, "malformed node line '" + lines[i] + "'");
            }
            String raft = f[4].substring(5);
            nodes.add(new Node(f[1], roleSet(f[2]), f[3].substring(5), raft.equals("-") ? "" : raft));
        }
        return new ClusterSpec(data, nodes);
    }
}
