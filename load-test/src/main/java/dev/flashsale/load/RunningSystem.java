package dev.flashsale.load;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import dev.flashsale.system.FlashSaleSystem;
import dev.flashsale.system.Service;
import dev.flashsale.testsupport.RabbitManagement;

/**
 * The whole system started for a part of the benchmark, with what watches it: the queue sampler and the check.
 *
 * @param databases each service's PostgreSQL database, when it runs on PostgreSQL (empty on H2): their backends' CPU counts
 */
record RunningSystem(FlashSaleSystem system, WorkerApis workers, QueueSampler sampler, ExactlyOnceCheck check, Map<Service, String> databases)
        implements AutoCloseable {

    /** The workers' prefetch (their default, {@code spring.rabbitmq.listener.simple.prefetch}), mirrored by PerfTest. */
    static final int PREFETCH = 100;

    /**
     * The workers' batch size (their default, {@code flashsale.worker.batch.size}): under load they acknowledge this
     * many messages at once, which PerfTest mirrors with {@code --multi-ack-every}.
     */
    static final int BATCH = 50;

    /**
     * PerfTest's publisher confirm window: large enough not to be what limits it, as the outbox's asynchronous
     * confirms are not limited by a window either.
     */
    static final int CONFIRM_WINDOW = 500;

    private static int started;

    static RunningSystem start(Path repository, BrokerEndpoint broker, RabbitManagement management, String virtualHost, Mailbox mailbox,
            Profile.Setting setting, ServiceJvm jvm, Path output, boolean modulithPeer) {
        return start(repository, broker, management, virtualHost, mailbox, setting, jvm, output, modulithPeer, builder -> { }, Map.of());
    }

    /**
     * The same, with more said to the builder before it starts the system (instances, databases), and the services'
     * PostgreSQL databases when it gave them some.
     */
    static RunningSystem start(Path repository, BrokerEndpoint broker, RabbitManagement management, String virtualHost, Mailbox mailbox,
            Profile.Setting setting, ServiceJvm jvm, Path output, boolean modulithPeer, Consumer<FlashSaleSystem.Builder> more,
            Map<Service, String> databases) {
        FlashSaleSystem.Builder builder = FlashSaleSystem.builder(repository)
                .broker(broker.host(), broker.port(), broker.username(), broker.password(), virtualHost)
                .smtp("127.0.0.1", mailbox.port())
                .property("flashsale.worker.costs.scale", String.valueOf(setting.costScale()))
                .jvm(jvm.javaHome(), jvm.options())
                .jvmOptions(Service.ORDER_SERVICE, jvm.checkoutOptions())
                .jvmOptions(Service.MODULITH_CHECKOUT, jvm.checkoutOptions())
                .niceness(Service.EMAIL_WORKER, jvm.workersNiceness())
                .niceness(Service.INVENTORY_WORKER, jvm.workersNiceness())
                .niceness(Service.ANALYTICS_WORKER, jvm.workersNiceness())
                .workDirectory(output.resolve("system-" + (++started)));
        builder.property("spring.rabbitmq.listener.simple.concurrency", String.valueOf(setting.consumers()))
                .property("spring.rabbitmq.listener.simple.max-concurrency", String.valueOf(setting.consumers()));
        if (modulithPeer) {
            builder.withModulithPeer();
        }
        more.accept(builder);
        FlashSaleSystem system = builder.start();
        try {
            WorkerApis workers = new WorkerApis(system);
            Map<String, WorkerApis.Worker> queues = new LinkedHashMap<>();
            workers.all().forEach(worker -> queues.put(worker.queue(), worker));
            QueueSampler sampler = new QueueSampler(broker, virtualHost, management, queues);
            return new RunningSystem(system, workers, sampler, new ExactlyOnceCheck(system, workers, mailbox, sampler), Map.copyOf(databases));
        }
        catch (RuntimeException ex) {
            system.close();
            throw ex;
        }
    }

    @Override
    public void close() {
        try {
            sampler.close();
        }
        finally {
            system.close();
        }
    }
}
