package dev.flashsale.analytics.history;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a rebuild reads the history stream ({@code flashsale.analytics.history.*}).
 *
 * @param batchSize messages written to the database per transaction (the consumer's prefetch is twice that)
 * @param idleTimeout how long a rebuild waits for the next message before its marker has come: past it, the rebuild
 *        fails and the live figures stay as they were
 * @param markerConfirmTimeout how long to wait for the broker to confirm the rebuild's marker
 */
@ConfigurationProperties("flashsale.analytics.history")
record HistoryProperties(@DefaultValue("500") int batchSize, @DefaultValue("30s") Duration idleTimeout,
        @DefaultValue("10s") Duration markerConfirmTimeout) {
}
