package dev.flashsale.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.flashsale.events.Topology;

/**
 * What can be checked of {@code deploy/}'s Kubernetes manifests without a cluster: each file read as the Kubernetes
 * model (fabric8's; KEDA's, CloudNativePG's and the RabbitMQ operator's resources as generic ones), and what must hold
 * between them and the code: each worker scaled by KEDA on its own queue (the names from {@link Topology}), every
 * container probed on the actuator and bounded in CPU and memory, images and ports those of the modules, a disruption
 * budget for every Deployment, the HPA on the order-service, and every Secret it refers to made by someone.
 */
class KubernetesManifestsTests {

    private static final Path REPOSITORY = EndToEndSystemTests.repository();
    private static final Path DEPLOY = REPOSITORY.resolve("deploy");

    /** Placeholders of the Secrets nothing else makes: read by this test, never applied by kustomization.yaml. */
    private static final String SECRETS_EXAMPLE = "secrets.example.yaml";

    /** Each worker module and the queue that is its own. */
    private static final Map<String, String> WORKER_QUEUES = Map.of(
            "email-worker", Topology.EMAIL_QUEUE,
            "inventory-worker", Topology.INVENTORY_QUEUE,
            "analytics-worker", Topology.ANALYTICS_QUEUE);

    private static final String ORDER_SERVICE = "order-service";

    /** The image tag: the project's version without -SNAPSHOT, as the Dockerfile's comment tags its images. */
    private static final String IMAGE_TAG = "0.1.0";

    private static final String READINESS = "/actuator/health/readiness";
    private static final String LIVENESS = "/actuator/health/liveness";

    /** The keys of the Secrets the operators make ("<cluster>-default-user", "<cluster>-app"), those used here. */
    private static final Set<String> OPERATOR_SECRET_KEYS = Set.of("username", "password");

    private static Map<String, List<HasMetadata>> manifests;

    @BeforeAll
    static void readManifests() throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        manifests = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DEPLOY)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(file)) {
                    manifests.put(file.getFileName().toString(), resources(serialization.unmarshal(in)));
                }
            }
        }
    }

    @Test
    void everyManifestIsReadAsKubernetesResourcesAndKustomizeAppliesEachButTheExample() throws IOException {
        assertThat(manifests).isNotEmpty();
        manifests.forEach((file, resources) -> {
            assertThat(resources).as(file).isNotEmpty();
            resources.forEach(resource -> {
                assertThat(resource.getApiVersion()).as(file + ": apiVersion").isNotBlank();
                assertThat(resource.getKind()).as(file + ": kind").isNotBlank();
                assertThat(resource.getMetadata().getName()).as(file + ": " + resource.getKind() + " name").isNotBlank();
            });
        });
        // Known kinds are the model's own classes: a typo in "kind" or "apiVersion" would make them generic.
        assertThat(all(GenericKubernetesResource.class)).extracting(HasMetadata::getKind)
                .allMatch(kind -> Set.of("RabbitmqCluster", "Cluster", "Database", "ScaledObject", "TriggerAuthentication").contains(kind));

        Map<String, Object> kustomization = new Yaml().load(Files.readString(DEPLOY.resolve("kustomization.yaml")));
        List<String> listed = strings(kustomization.get("resources"));
        assertThat(listed).doesNotHaveDuplicates();
        Set<String> expected = new TreeSet<>(manifests.keySet());
        expected.remove(SECRETS_EXAMPLE);
        assertThat(new TreeSet<>(listed)).as("kustomization.yaml's resources").isEqualTo(expected);
        assertThat(manifests).as("the placeholders of the Secrets to create").containsKey(SECRETS_EXAMPLE);
        assertThat(manifests.get(SECRETS_EXAMPLE)).allMatch(Secret.class::isInstance);
    }

    @Test
    void everyWorkerIsScaledByKedaOnItsOwnQueues() throws IOException {
        assertThat(WORKER_QUEUES.values()).containsExactlyInAnyOrderElementsOf(Topology.WORK_QUEUES);
        Set<String> authentications = names(all(GenericKubernetesResource.class).stream()
                .filter(resource -> resource.getKind().equals("TriggerAuthentication")).toList());

        for (Map.Entry<String, String> worker : WORKER_QUEUES.entrySet()) {
            String module = worker.getKey();
            String queue = worker.getValue();
            assertThat(string(applicationYml(module), "flashsale", "worker", "queue")).as(module + "'s flashsale.worker.queue")
                    .isEqualTo(queue);
            assertThat(deployment(module)).as(module + "'s Deployment").isPresent();

            List<GenericKubernetesResource> scaledObjects = scaledObjects().stream()
                    .filter(scaledObject -> module.equals(scaledObject.get("spec", "scaleTargetRef", "name"))).toList();
            assertThat(scaledObjects).as("ScaledObjects whose scaleTargetRef is " + module).hasSize(1);
            GenericKubernetesResource scaledObject = scaledObjects.get(0);
            Object kind = scaledObject.get("spec", "scaleTargetRef", "kind");
            assertThat(kind == null || kind.equals("Deployment")).as(module + "'s scaleTargetRef kind").isTrue();

            List<Map<String, Object>> triggers = maps(scaledObject.get("spec", "triggers"));
            assertThat(triggers).as(module + "'s triggers").allMatch(trigger -> "rabbitmq".equals(trigger.get("type")));
            List<String> queues = new ArrayList<>();
            for (Map<String, Object> trigger : triggers) {
                Map<String, Object> metadata = map(trigger.get("metadata"));
                queues.add(String.valueOf(metadata.get("queueName")));
                assertThat(metadata.get("mode")).as(module + "'s trigger mode").isEqualTo("QueueLength");
                assertThat(String.valueOf(metadata.get("value"))).as(module + "'s queue length target").matches("[1-9][0-9]*");
                assertThat(metadata).as(module + ": the broker's URI with its password belongs in a Secret")
                        .doesNotContainKey("host");
                assertThat(GenericKubernetesResource.<Object>get(trigger, "authenticationRef", "name"))
                        .as(module + "'s trigger authentication").isIn(authentications);
            }
            List<String> own = new ArrayList<>(List.of(queue));
            Topology.expressQueue(queue).ifPresent(own::add);
            assertThat(queues).as(module + "'s queues").containsExactlyInAnyOrderElementsOf(own);

            int minReplicas = integer(scaledObject.get("spec", "minReplicaCount"));
            assertThat(minReplicas).as(module + ": never scaled to zero (it answers the synchronous checkout)").isPositive();
            assertThat(integer(scaledObject.get("spec", "maxReplicaCount"))).as(module + "'s maxReplicaCount")
                    .isGreaterThan(minReplicas);
        }
        assertThat(scaledObjects()).as("a ScaledObject is a worker's").hasSize(WORKER_QUEUES.size());
    }

    @Test
    void everyContainerIsProbedOnTheActuatorAndBoundedInCpuAndMemory() {
        assertThat(all(Deployment.class)).isNotEmpty();
        for (Deployment deployment : all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            String name = deployment.getMetadata().getName();
            assertThat(pod.getSecurityContext()).as(name + "'s securityContext").isNotNull();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name + " runAsNonRoot").isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).as(name + " runs as the Dockerfile's USER")
                    .isEqualTo(dockerfileUser());
            // Spring's graceful shutdown has 30 s a phase by default; the pod must be given them, and more.
            assertThat(pod.getTerminationGracePeriodSeconds()).as(name + "'s terminationGracePeriodSeconds").isGreaterThan(30);

            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            for (Container container : containers) {
                String what = name + "/" + container.getName();
                assertProbe(what + " readinessProbe", container.getReadinessProbe(), READINESS, container);
                assertProbe(what + " livenessProbe", container.getLivenessProbe(), LIVENESS, container);
                assertThat(container.getStartupProbe()).as(what + " startupProbe").isNotNull();
                assertThat(container.getStartupProbe().getHttpGet()).as(what + " startupProbe on HTTP").isNotNull();
                assertThat(container.getStartupProbe().getHttpGet().getPath()).as(what + " startupProbe")
                        .isIn(READINESS, LIVENESS);

                ResourceRequirements resources = container.getResources();
                assertThat(resources).as(what + " resources").isNotNull();
                assertThat(resources.getRequests()).as(what + " requests").containsKeys("cpu", "memory");
                assertThat(resources.getLimits()).as(what + " limits").containsKeys("cpu", "memory");
                for (String resource : List.of("cpu", "memory")) {
                    assertThat(amount(resources.getRequests().get(resource)))
                            .as(what + ": " + resource + " request within its limit")
                            .isPositive()
                            .isLessThanOrEqualTo(amount(resources.getLimits().get(resource)));
                }
            }
        }
    }

    @Test
    void theDeploymentsRunTheModulesImagesOnTheirServerPortsBehindAService() throws IOException {
        Set<String> modules = new TreeSet<>(WORKER_QUEUES.keySet());
        modules.add(ORDER_SERVICE);
        assertThat(new TreeSet<>(names(all(Deployment.class)))).as("the Deployments").isEqualTo(modules);

        for (String module : modules) {
            int port = serverPort(module);
            Deployment deployment = deployment(module).orElseThrow();
            List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
            assertThat(containers).as(module + "'s containers").hasSize(1);
            Container container = containers.get(0);
            assertThat(container.getImage()).as(module + "'s image").isEqualTo("flashsale/" + module + ":" + IMAGE_TAG);
            assertThat(container.getPorts()).as(module + "'s containerPorts").extracting(ContainerPort::getContainerPort)
                    .containsExactly(port);

            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).as(module + "'s pods are the Deployment's").containsAllEntriesOf(
                    deployment.getSpec().getSelector().getMatchLabels());
            Service service = named(Service.class, module).orElse(null);
            assertThat(service).as(module + "'s Service").isNotNull();
            assertThat(service.getSpec().getSelector()).as(module + "'s Service selector").isNotEmpty();
            assertThat(podLabels).as(module + "'s Service selects its pods").containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getPorts()).as(module + "'s Service port").hasSize(1);
            ServicePort servicePort = service.getSpec().getPorts().get(0);
            assertThat(servicePort.getPort()).as(module + "'s Service port").isEqualTo(port);
            assertThat(containerPort(servicePort.getTargetPort(), container)).as(module + "'s Service targetPort")
                    .isEqualTo(port);
        }
    }

    @Test
    void everyDeploymentHasADisruptionBudgetSelectingItsPodsThatStillLetsADrainThrough() {
        for (Deployment deployment : all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> budgets = all(PodDisruptionBudget.class).stream()
                    .filter(budget -> budget.getSpec().getSelector() != null)
                    .filter(budget -> budget.getSpec().getSelector().getMatchLabels() != null
                            && !budget.getSpec().getSelector().getMatchLabels().isEmpty())
                    .filter(budget -> podLabels.entrySet().containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()))
                    .toList();
            assertThat(budgets).as("PodDisruptionBudgets selecting " + name + "'s pods").hasSize(1);

            // A budget that asks for as many pods as the fewest there can be blocks every drain of a node.
            IntOrString minAvailable = budgets.get(0).getSpec().getMinAvailable();
            assertThat(minAvailable).as(name + "'s PodDisruptionBudget minAvailable").isNotNull();
            assertThat(minAvailable.getIntVal()).as(name + "'s minAvailable, a number").isNotNull();
            assertThat(minAvailable.getIntVal()).as(name + "'s minAvailable").isPositive().isLessThan(fewestReplicas(deployment));
        }
    }

    @Test
    void theHorizontalPodAutoscalerScalesTheOrderServiceDeploymentOnCpu() {
        List<HorizontalPodAutoscaler> autoscalers = all(HorizontalPodAutoscaler.class);
        assertThat(autoscalers).hasSize(1);
        HorizontalPodAutoscaler autoscaler = autoscalers.get(0);
        assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(ORDER_SERVICE);
        Deployment orderService = deployment(ORDER_SERVICE).orElseThrow();
        assertThat(orderService.getSpec().getReplicas()).as("the order-service's replicas").isEqualTo(2);
        assertThat(autoscaler.getSpec().getMinReplicas()).as("the HPA's minimum, the Deployment's replicas")
                .isEqualTo(orderService.getSpec().getReplicas());
        assertThat(autoscaler.getSpec().getMaxReplicas()).isGreaterThan(autoscaler.getSpec().getMinReplicas());
        List<MetricSpec> metrics = autoscaler.getSpec().getMetrics();
        assertThat(metrics).as("the HPA's metrics").anySatisfy(metric -> {
            assertThat(metric.getType()).isEqualTo("Resource");
            assertThat(metric.getResource().getName()).isEqualTo("cpu");
            assertThat(metric.getResource().getTarget().getAverageUtilization()).isBetween(1, 100);
        });
        assertThat(scaledObjects()).as("KEDA scales no Deployment the HPA scales")
                .noneMatch(scaledObject -> ORDER_SERVICE.equals(scaledObject.get("spec", "scaleTargetRef", "name")));
    }

    @Test
    void everySecretReferredToIsDefinedHereOrMadeByAnOperatorDefinedHere() {
        Map<String, Set<String>> defined = new LinkedHashMap<>();
        for (Secret secret : all(Secret.class)) {
            Set<String> keys = new HashSet<>();
            Optional.ofNullable(secret.getData()).ifPresent(data -> keys.addAll(data.keySet()));
            Optional.ofNullable(secret.getStringData()).ifPresent(data -> keys.addAll(data.keySet()));
            defined.put(secret.getMetadata().getName(), keys);
        }
        for (GenericKubernetesResource resource : all(GenericKubernetesResource.class)) {
            String name = resource.getMetadata().getName();
            if (resource.getKind().equals("RabbitmqCluster")) {
                defined.put(name + "-default-user", OPERATOR_SECRET_KEYS);
            }
            if (resource.getKind().equals("Cluster") && resource.getApiVersion().startsWith("postgresql.cnpg.io/")
                    && resource.get("spec", "bootstrap", "initdb", "secret") == null) {
                defined.put(name + "-app", OPERATOR_SECRET_KEYS);
            }
        }

        List<String[]> referred = new ArrayList<>();
        for (Deployment deployment : all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            for (Container container : pod.getContainers()) {
                String what = deployment.getMetadata().getName() + "/" + container.getName();
                for (EnvVar env : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
                    if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                        SecretKeySelector ref = env.getValueFrom().getSecretKeyRef();
                        referred.add(new String[] {what + " " + env.getName(), ref.getName(), ref.getKey()});
                    }
                }
                Optional.ofNullable(container.getEnvFrom()).orElse(List.of()).stream()
                        .filter(from -> from.getSecretRef() != null)
                        .forEach(from -> referred.add(new String[] {what + " envFrom", from.getSecretRef().getName(), null}));
            }
            Optional.ofNullable(pod.getVolumes()).orElse(List.of()).stream().filter(volume -> volume.getSecret() != null)
                    .forEach(volume -> referred.add(new String[] {deployment.getMetadata().getName() + " volume " + volume.getName(),
                            volume.getSecret().getSecretName(), null}));
        }
        for (GenericKubernetesResource authentication : all(GenericKubernetesResource.class)) {
            if (authentication.getKind().equals("TriggerAuthentication")) {
                for (Map<String, Object> ref : maps(authentication.get("spec", "secretTargetRef"))) {
                    referred.add(new String[] {"TriggerAuthentication " + authentication.getMetadata().getName(),
                            String.valueOf(ref.get("name")), String.valueOf(ref.get("key"))});
                }
            }
        }

        assertThat(referred).as("Secret references").isNotEmpty();
        for (String[] reference : referred) {
            assertThat(defined).as(reference[0] + " refers to Secret " + reference[1]).containsKey(reference[1]);
            if (reference[2] != null) {
                assertThat(defined.get(reference[1])).as(reference[0] + " refers to key " + reference[2] + " of " + reference[1])
                        .contains(reference[2]);
            }
        }
        // The Spring services' secrets come from Secrets, never from a value written into a manifest.
        for (Deployment deployment : all(Deployment.class)) {
            for (EnvVar env : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (env.getName().contains("PASSWORD")) {
                    assertThat(env.getValue()).as(deployment.getMetadata().getName() + " " + env.getName() + " from a Secret").isNull();
                    assertThat(env.getValueFrom()).as(deployment.getMetadata().getName() + " " + env.getName()).isNotNull();
                }
            }
        }
    }

    @Test
    void everyServiceFindsTheBrokerItsOwnDatabaseAndTheServicesItCalls() throws IOException {
        Set<String> brokers = names(generic("RabbitmqCluster"));
        assertThat(brokers).as("RabbitmqClusters").hasSize(1);
        GenericKubernetesResource broker = generic("RabbitmqCluster").get(0);
        assertThat(integer(broker.get("spec", "replicas"))).as("the broker's nodes").isEqualTo(3);
        assertThat(strings(broker.get("spec", "rabbitmq", "additionalPlugins"))).contains("rabbitmq_prometheus");

        List<GenericKubernetesResource> clusters = generic("Cluster");
        assertThat(clusters).as("CloudNativePG Clusters").hasSize(1);
        GenericKubernetesResource postgres = clusters.get(0);
        Set<String> databases = new TreeSet<>();
        databases.add(String.valueOf((Object) postgres.get("spec", "bootstrap", "initdb", "database")));
        generic("Database").forEach(database -> {
            assertThat(GenericKubernetesResource.<Object>get(database.getAdditionalProperties(), "spec", "cluster", "name"))
                    .as("Database " + database.getMetadata().getName() + "'s cluster").isEqualTo(postgres.getMetadata().getName());
            databases.add(String.valueOf((Object) database.get("spec", "name")));
        });
        // The same databases as docker compose's PostgreSQL, made by docker/postgres/init.sql.
        Matcher created = Pattern.compile("CREATE DATABASE (\\w+);")
                .matcher(Files.readString(REPOSITORY.resolve("docker/postgres/init.sql")));
        Set<String> composeDatabases = new TreeSet<>();
        while (created.find()) {
            composeDatabases.add(created.group(1));
        }
        assertThat(databases).as("the databases").isEqualTo(composeDatabases);

        Map<String, Integer> servicePorts = new LinkedHashMap<>();
        all(Service.class).forEach(service -> servicePorts.put(service.getMetadata().getName(), service.getSpec().getPorts().get(0).getPort()));
        String brokerName = broker.getMetadata().getName();
        Set<String> usedDatabases = new HashSet<>();
        for (Deployment deployment : all(Deployment.class)) {
            String module = deployment.getMetadata().getName();
            Map<String, EnvVar> env = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                    .collect(Collectors.toMap(EnvVar::getName, var -> var));
            assertThat(value(env, "SPRING_PROFILES_ACTIVE")).as(module + "'s profiles").isEqualTo("postgres");
            assertThat(value(env, "SPRING_RABBITMQ_ADDRESSES")).as(module + "'s broker").isEqualTo(brokerName + ":5672");
            assertThat(value(env, "POSTGRES_HOST")).as(module + "'s database host").isEqualTo(postgres.getMetadata().getName() + "-rw");
            // Its own database: the one its application-postgres.yml defaults to.
            Matcher database = Pattern.compile("\\$\\{POSTGRES_DB:(\\w+)}")
                    .matcher(Files.readString(REPOSITORY.resolve(module + "/src/main/resources/application-postgres.yml")));
            assertThat(database.find()).as(module + "'s application-postgres.yml names its database").isTrue();
            assertThat(value(env, "POSTGRES_DB")).as(module + "'s database").isEqualTo(database.group(1)).isIn(databases);
            assertThat(usedDatabases.add(value(env, "POSTGRES_DB"))).as(module + "'s database is its own").isTrue();
            for (String name : List.of("SPRING_RABBITMQ_USERNAME", "SPRING_RABBITMQ_PASSWORD", "POSTGRES_USER", "POSTGRES_PASSWORD",
                    "SPRING_SECURITY_USER_NAME", "SPRING_SECURITY_USER_PASSWORD",
                    "FLASHSALE_SECURITY_SERVICE_USERNAME", "FLASHSALE_SECURITY_SERVICE_PASSWORD")) {
                assertThat(env).as(module + " gets " + name).containsKey(name);
            }
            // http://<host>:<port> values point at a Service here (or at the broker's management port).
            env.values().stream().filter(var -> var.getValue() != null && var.getValue().startsWith("http://")).forEach(var -> {
                Matcher url = Pattern.compile("http://([a-z0-9-]+):(\\d+)/?").matcher(var.getValue());
                assertThat(url.matches()).as(module + " " + var.getName()).isTrue();
                int port = Integer.parseInt(url.group(2));
                if (url.group(1).equals(brokerName)) {
                    assertThat(port).as(module + " " + var.getName()).isEqualTo(15672);
                }
                else {
                    assertThat(servicePorts.get(url.group(1))).as(module + " " + var.getName() + ": a Service on that port").isEqualTo(port);
                }
            });
        }
    }

    private static void assertProbe(String what, Probe probe, String path, Container container) {
        assertThat(probe).as(what).isNotNull();
        assertThat(probe.getHttpGet()).as(what + " on HTTP").isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(what + " path").isEqualTo(path);
        assertThat(containerPort(probe.getHttpGet().getPort(), container)).as(what + " port")
                .isIn(container.getPorts().stream().map(ContainerPort::getContainerPort).toList());
    }

    /** The number a port (a number or the name of one of the container's ports) stands for, or null. */
    private static Integer containerPort(IntOrString port, Container container) {
        if (port == null) {
            return null;
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(candidate -> port.getStrVal().equals(candidate.getName()))
                .map(ContainerPort::getContainerPort).findFirst().orElse(null);
    }

    /** The fewest pods the Deployment runs: its autoscaler's minimum, or its replicas. */
    private static int fewestReplicas(Deployment deployment) {
        String name = deployment.getMetadata().getName();
        for (HorizontalPodAutoscaler autoscaler : all(HorizontalPodAutoscaler.class)) {
            if (autoscaler.getSpec().getScaleTargetRef().getName().equals(name)) {
                return Optional.ofNullable(autoscaler.getSpec().getMinReplicas()).orElse(1);
            }
        }
        for (GenericKubernetesResource scaledObject : scaledObjects()) {
            if (name.equals(scaledObject.get("spec", "scaleTargetRef", "name"))) {
                Object min = scaledObject.get("spec", "minReplicaCount");
                return min == null ? 0 : integer(min);
            }
        }
        return Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1);
    }

    private static java.math.BigDecimal amount(Quantity quantity) {
        assertThat(quantity).isNotNull();
        return quantity.getNumericalAmount();
    }

    private static String value(Map<String, EnvVar> env, String name) {
        assertThat(env).containsKey(name);
        return env.get(name).getValue();
    }

    private static long dockerfileUser() {
        try {
            Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(Files.readString(REPOSITORY.resolve("Dockerfile")));
            assertThat(user.find()).as("the Dockerfile's USER").isTrue();
            return Long.parseLong(user.group(1));
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static Map<String, Object> applicationYml(String module) throws IOException {
        return new Yaml().load(Files.readString(REPOSITORY.resolve(module + "/src/main/resources/application.yml")));
    }

    private static int serverPort(String module) throws IOException {
        return integer(map(applicationYml(module).get("server")).get("port"));
    }

    private static String string(Map<String, Object> yaml, String... path) {
        Object value = yaml;
        for (String key : path) {
            value = map(value).get(key);
        }
        return String.valueOf(value);
    }

    private static Optional<Deployment> deployment(String name) {
        return named(Deployment.class, name);
    }

    private static <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(resource -> name.equals(resource.getMetadata().getName())).toList();
        assertThat(found).as(type.getSimpleName() + " " + name).hasSizeLessThanOrEqualTo(1);
        return found.stream().findFirst();
    }

    private static List<GenericKubernetesResource> scaledObjects() {
        return all(GenericKubernetesResource.class).stream()
                .filter(resource -> resource.getKind().equals("ScaledObject") && resource.getApiVersion().equals("keda.sh/v1alpha1"))
                .toList();
    }

    private static List<GenericKubernetesResource> generic(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(resource -> resource.getKind().equals(kind)).toList();
    }

    private static <T> List<T> all(Class<T> type) {
        return manifests.values().stream().flatMap(List::stream).filter(type::isInstance).map(type::cast).toList();
    }

    private static Set<String> names(List<? extends HasMetadata> resources) {
        return resources.stream().map(resource -> resource.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** What unmarshal gives for a file: one resource, or a list of them (several YAML documents). */
    private static List<HasMetadata> resources(Object unmarshalled) {
        if (unmarshalled instanceof KubernetesList list) {
            return list.getItems();
        }
        if (unmarshalled instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        assertThat(unmarshalled).isInstanceOf(HasMetadata.class);
        return List.of((HasMetadata) unmarshalled);
    }

    private static int integer(Object value) {
        assertThat(value).isNotNull();
        return Integer.parseInt(String.valueOf(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        assertThat(yaml).isInstanceOf(Map.class);
        return (Map<String, Object>) yaml;
    }

    private static List<Map<String, Object>> maps(Object yaml) {
        assertThat(yaml).isInstanceOf(List.class);
        return ((List<?>) yaml).stream().map(KubernetesManifestsTests::map).toList();
    }

    private static List<String> strings(Object yaml) {
        assertThat(yaml).isInstanceOf(List.class);
        return ((List<?>) yaml).stream().map(String::valueOf).toList();
    }
}
