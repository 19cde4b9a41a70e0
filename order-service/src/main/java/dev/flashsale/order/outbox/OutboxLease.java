package dev.flashsale.order.outbox;

import dev.flashsale.events.InstanceId;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which outbox rows this instance carries to the broker, when several order-service instances share one database.
 *
 * <p>Every row names its carrier ({@code outbox.claimed_by}): the instance that appended it, in the same
 * {@code INSERT}, so the claim costs the checkout nothing. An instance sends only its own rows, the after-commit
 * publisher and the relay alike, so in steady state no row is sent by two instances, however many there are.
 *
 * <p>Each instance is registered in {@code outbox_instance} and writes a heartbeat there, in the database's time (the
 * machines' clocks do not matter). One rule finds every row a carrier: a row whose owner is not registered is an
 * orphan, and a live instance adopts it, with one conditional {@code UPDATE}. An instance whose heartbeat is older than
 * the lease is unregistered by the first live one to notice, which adopts its rows in the same transaction. Two
 * instances racing cannot both win a row: the loser's update finds the row's owner changed and registered, and skips
 * it. An instance that stops gracefully backdates its heartbeat, so a rolling restart does not wait for the lease.
 *
 * <p>Adopting can send a row twice (its owner may have sent it and died before marking it), as the relay always could:
 * the consumers are idempotent. It never loses one: a row either has a registered owner, which sends it or dies, or is
 * an orphan, which the next heartbeat that unregisters someone, or at the latest the next purge round, adopts.
 */
@Component
@DependsOnDatabaseInitialization
class OutboxLease implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxLease.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final Duration lease;
    private final String id;
    private final Counter adopted;

    OutboxLease(JdbcClient jdbc, TransactionTemplate transaction, OutboxProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.lease = properties.instanceLease();
        this.id = InstanceId.ofThisProcess().value();
        this.adopted = Counter.builder("flashsale.outbox.adopted")
                .description("Unpublished outbox rows this instance took over from an instance that stopped or whose lease ran out: "
                        + "0 while every instance lives")
                .register(meters);
    }

    /** This instance's id: its host, its process id and a random part, so that a restarted process is a new instance. */
    String id() {
        return id;
    }

    /** Registers this instance before it appends any row, and adopts the orphans (e.g. rows written before claims). */
    @Override
    public void afterPropertiesSet() {
        register();
        adoptOrphans();
        log.info("Outbox instance {} carries the rows it appends; taken for dead {} after its last heartbeat", id, lease);
    }

    /**
     * Writes this instance's heartbeat, then unregisters every instance whose lease ran out and adopts their rows. An
     * instance that was itself taken for dead (paused for longer than the lease) registers again: its rows are someone
     * else's now, or orphans it may adopt back.
     */
    void heartbeat() {
        if (jdbc.sql("UPDATE outbox_instance SET heartbeat_at = CURRENT_TIMESTAMP WHERE id = ?").param(id).update() == 0) {
            log.warn("Outbox instance {} was taken for dead, and its rows adopted; registering again", id);
            register();
        }
        Timestamp expired = Timestamp.from(databaseNow().minus(lease));
        transaction.executeWithoutResult(status -> {
            List<String> dead = jdbc.sql("SELECT id FROM outbox_instance WHERE heartbeat_at < ?").param(expired)
                    .query(String.class).list();
            if (!dead.isEmpty() && jdbc.sql("DELETE FROM outbox_instance WHERE heartbeat_at < ?").param(expired).update() > 0) {
                log.info("Outbox instances {} stopped or are silent for longer than the lease", dead);
                adoptOrphans();
            }
        });
    }

    /** Adopts every unpublished row whose owner is not registered. Also run now and then, as a safety net. */
    void adoptOrphans() {
        int rows = jdbc.sql("""
                UPDATE outbox SET claimed_by = ?
                WHERE published_at IS NULL AND (claimed_by IS NULL OR claimed_by NOT IN (SELECT id FROM outbox_instance))""")
                .param(id).update();
        if (rows > 0) {
            adopted.increment(rows);
            log.warn("Adopted {} unpublished outbox rows of instances that are gone", rows);
        }
    }

    /** Backdates this instance's heartbeat, so that the others adopt its unpublished rows at their next heartbeat. */
    void release() {
        jdbc.sql("UPDATE outbox_instance SET heartbeat_at = ? WHERE id = ?").params(Timestamp.from(Instant.EPOCH), id).update();
        log.info("Outbox instance {} stopped; its unpublished rows go to the other instances", id);
    }

    private void register() {
        jdbc.sql("INSERT INTO outbox_instance (id, started_at, heartbeat_at) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
                .param(id).update();
    }

    private Instant databaseNow() {
        return jdbc.sql("SELECT CURRENT_TIMESTAMP").query((rs, row) -> rs.getTimestamp(1).toInstant()).single();
    }
}
