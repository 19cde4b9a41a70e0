package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system (order-service and the three workers) started from the built jars as separate
 * processes, each on a free port, against a given broker virtual host, SMTP server and databases, so that
 * tests can treat it as a user or an operator would: HTTP in, and processes stopped, killed and restarted.
 *
 * <pre>
 * try (FlashSaleSystem system = FlashSaleSystem.builder(repository)
 *         .broker("127.0.0.1", 5672, "guest", "guest", vhost)
 *         .smtp("127.0.0.1", smtpPort)
 *         .start()) {
 *     URI checkout = system.uri(Service.ORDER_SERVICE);
 *     system.process(Service.EMAIL_WORKER).kill();
 * }
 * </pre>
 */
public final class FlashSaleSystem implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FlashSaleSystem.class);

    /** The version of the jars, as in the parent POM. */
    public static final String VERSION = "0.1.0-SNAPSHOT";

    /** The admin user every service of a system started here is given. */
    public static final String ADMIN_USERNAME = "system-test";

    /** Its password. */
    public static final String ADMIN_PASSWORD = "system-test";

    private final Map<Service, List<ServiceProcess>> processes;
    private final Path workDirectory;

    private FlashSaleSystem(Map<Service, List<ServiceProcess>> processes, Path workDirectory) {
        this.processes = processes;
        this.workDirectory = workDirectory;
    }

    /** A system built from the jars under the given repository root. */
    public static Builder builder(Path repository) {
        return new Builder(repository);
    }

    /** The service's first process (its only one, unless {@link Builder#instances} asked for more). */
    public ServiceProcess process(Service service) {
        return processes(service).get(0);
    }

    /** Every process of the service, in the order they were started. */
    public List<ServiceProcess> processes(Service service) {
        List<ServiceProcess> instances = processes.get(service);
        if (instances == null) {
            throw new IllegalArgumentException(service.module() + " is not part of this system");
        }
        return instances;
    }

    public URI uri(Service service) {
        return process(service).baseUri();
    }

    /** The services this system runs: {@link Service#SYSTEM}, and the peer if it was asked for. */
    public Set<Service> services() {
        return Collections.unmodifiableSet(processes.keySet());
    }

    /** Where the processes keep their logs and H2 databases. */
    public Path workDirectory() {
        return workDirectory;
    }

    /** Stops every process (SIGTERM), all at once. */
    @Override
    public void close() {
        CompletableFuture.allOf(all().stream()
                .map(process -> CompletableFuture.runAsync(process::stop)).toArray(CompletableFuture[]::new)).join();
        log.info("The system is stopped; logs in {}", workDirectory);
    }

    private List<ServiceProcess> all() {
        return processes.values().stream().flatMap(List::stream).toList();
    }

    /** How to start the system. */
    public static final class Builder {

        private final Path repository;
        private final Map<String, String> settings = new HashMap<>();
        private final Map<Service, Map<String, String>> environment = new EnumMap<>(Service.class);
        private final Map<Service, Map<String, String>> serviceSettings = new EnumMap<>(Service.class);
        private final Map<Service, Integer> niceness = new EnumMap<>(Service.class);
        private final Set<Service> services = EnumSet.copyOf(Service.SYSTEM);
        private final Map<Service, Integer> instances = new EnumMap<>(Service.class);
        // Light by default (the tests start four JVMs on two cores, often); the benchmark chooses its own (jvm(...)).
        private Path javaHome = Path.of(System.getProperty("java.home"));
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC"));
        private final Map<Service, List<String>> serviceJvmOptions = new EnumMap<>(Service.class);
        private Path workDirectory;
        private Duration startTimeout = Duration.ofSeconds(180);

        private Builder(Path repository) {
            this.repository = repository.toAbsolutePath().normalize();
            for (Service service : Service.values()) {
                environment.put(service, new HashMap<>());
                serviceSettings.put(service, new HashMap<>());
            }
            settings.put("spring.security.user.name", ADMIN_USERNAME);
            settings.put("spring.security.user.password", ADMIN_PASSWORD);
            settings.put("flashsale.security.service.username", "system-test-service");
            settings.put("flashsale.security.service.password", "system-test-service");
        }

        public Builder broker(String host, int port, String username, String password, String virtualHost) {
            settings.put("spring.rabbitmq.host", host);
            settings.put("spring.rabbitmq.port", String.valueOf(port));
            settings.put("spring.rabbitmq.username", username);
            settings.put("spring.rabbitmq.password", password);
            settings.put("spring.rabbitmq.virtual-host", virtualHost);
            return this;
        }

        /**
         * A broker of several nodes (a cluster): the services are given every address, {@code host:port,host:port,...},
         * and connect to the first that answers, in the order given (Spring Boot's {@code spring.rabbitmq.addresses}).
         */
        public Builder brokerAddresses(String addresses, String username, String password, String virtualHost) {
            settings.remove("spring.rabbitmq.host");
            settings.remove("spring.rabbitmq.port");
            settings.put("spring.rabbitmq.addresses", addresses);
            settings.put("spring.rabbitmq.username", username);
            settings.put("spring.rabbitmq.password", password);
            settings.put("spring.rabbitmq.virtual-host", virtualHost);
            return this;
        }

        /**
         * Runs {@code count} processes of the service, each on a port of its own, instead of one. They must share a
         * database: the {@code postgres} profile (H2's file takes one process only, and a second instance fails to start).
         * The synchronous checkout calls a worker's first instance.
         */
        public Builder instances(Service service, int count) {
            if (count < 1) {
                throw new IllegalArgumentException("At least one instance of " + service.module());
            }
            instances.put(service, count);
            return this;
        }

        public Builder smtp(String host, int port) {
            settings.put("spring.mail.host", host);
            settings.put("spring.mail.port", String.valueOf(port));
            return this;
        }

        /** Any Spring property, for every service (e.g. short retry intervals, fault knobs). */
        public Builder property(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** A Spring property for one service, over what every service gets (e.g. its own way to the broker). */
        public Builder property(Service service, String name, String value) {
            serviceSettings.get(service).put(name, value);
            return this;
        }

        /** An environment variable for one service (e.g. {@code POSTGRES_DB} with the {@code postgres} profile). */
        public Builder environment(Service service, String name, String value) {
            environment.get(service).put(name, value);
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /**
         * A service's scheduling priority ({@code nice}, 0 to 19): a higher one gives way to the others when the cores
         * are all busy, as the workers may to the checkout in a flash sale.
         */
        public Builder niceness(Service service, int value) {
            niceness.put(service, value);
            return this;
        }

        /** The JVM the services run on (its home directory) and its options, instead of the light defaults. */
        public Builder jvm(Path javaHome, List<String> options) {
            this.javaHome = javaHome;
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /** One service's JVM options, instead of those every service gets (e.g. another garbage collector for the checkout). */
        public Builder jvmOptions(Service service, List<String> options) {
            serviceJvmOptions.put(service, List.copyOf(options));
            return this;
        }

        /** Also starts the Spring Modulith peer of the order-service, on the same broker and virtual host, for the benchmark. */
        public Builder withModulithPeer() {
            services.add(Service.MODULITH_CHECKOUT);
            return this;
        }

        /** Where logs and H2 databases go; a new temporary directory by default. */
        public Builder workDirectory(Path directory) {
            this.workDirectory = directory;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Starts the processes at once and waits until all are healthy; stops them all if one fails. */
        public FlashSaleSystem start() {
            try {
                Path work = workDirectory != null ? Files.createDirectories(workDirectory)
                        : Files.createTempDirectory("flashsale-system-");
                Map<Service, List<Integer>> ports = ports();
                Map<Service, List<ServiceProcess>> processes = new EnumMap<>(Service.class);
                for (Service service : services) {
                    processes.put(service, processes(service, ports, work));
                }
                FlashSaleSystem system = new FlashSaleSystem(processes, work);
                try {
                    system.all().forEach(ServiceProcess::start);
                    system.all().forEach(process -> process.awaitHealthy(startTimeout));
                }
                catch (RuntimeException ex) {
                    system.close();
                    throw ex;
                }
                log.info("The system runs: {}", system.all().stream()
                        .map(process -> process.service().module() + " " + process.baseUri()).toList());
                return system;
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        /** A free port for each instance of each service. */
        private Map<Service, List<Integer>> ports() throws IOException {
            Map<Service, List<Integer>> ports = new EnumMap<>(Service.class);
            for (Service service : services) {
                List<Integer> servicePorts = new ArrayList<>();
                for (int i = 0; i < instances.getOrDefault(service, 1); i++) {
                    servicePorts.add(freePort());
                }
                ports.put(service, servicePorts);
            }
            return ports;
        }

        /** The processes of one service, one per port it was given, not started yet. */
        private List<ServiceProcess> processes(Service service, Map<Service, List<Integer>> ports, Path work) {
            Path jar = repository.resolve(service.module()).resolve("target").resolve(service.module() + "-" + VERSION + ".jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("No jar at " + jar + ": build the services first (./mvnw -DskipTests package)");
            }
            List<ServiceProcess> serviceProcesses = new ArrayList<>();
            for (int instance = 0; instance < ports.get(service).size(); instance++) {
                int port = ports.get(service).get(instance);
                // The first instance logs to <module>.log, as when there is one; the others to <module>-2.log, ...
                String log = service.module() + (instance == 0 ? "" : "-" + (instance + 1)) + ".log";
                serviceProcesses.add(new ServiceProcess(service, jar, port, javaHome, niceness.getOrDefault(service, 0),
                        serviceJvmOptions.getOrDefault(service, jvmOptions), arguments(service, port, ports, work),
                        environment.get(service), work.resolve(log)));
            }
            return List.copyOf(serviceProcesses);
        }

        /** A process's command-line arguments: its port, its data directory, the settings given for all and for it. */
        private List<String> arguments(Service service, int port, Map<Service, List<Integer>> ports, Path work) {
            List<String> arguments = new ArrayList<>();
            arguments.add("--server.port=" + port);
            arguments.add("--flashsale.data-dir=" + work);
            if (service == Service.ORDER_SERVICE) {
                // The synchronous checkout calls the workers over HTTP, on the ports they were given here.
                arguments.add("--flashsale.downstream.inventory-url=http://127.0.0.1:" + ports.get(Service.INVENTORY_WORKER).get(0));
                arguments.add("--flashsale.downstream.email-url=http://127.0.0.1:" + ports.get(Service.EMAIL_WORKER).get(0));
                arguments.add("--flashsale.downstream.analytics-url=http://127.0.0.1:" + ports.get(Service.ANALYTICS_WORKER).get(0));
            }
            Map<String, String> serviceArguments = new HashMap<>(settings);
            serviceArguments.putAll(serviceSettings.get(service));
            serviceArguments.forEach((name, value) -> arguments.add("--" + name + "=" + value));
            return arguments;
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }
    }
}
