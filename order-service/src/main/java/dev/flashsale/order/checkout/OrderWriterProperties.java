package dev.flashsale.order.checkout;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the checkout writes orders in groups ({@code flashsale.checkout.writer.*}, see {@link OrderWriter}).
 *
 * @param maxGroup the most orders in one transaction
 * @param maxWaiting orders waiting for a commit at most; beyond it the checkout is overloaded and answers 503 at once,
 *        instead of piling up requests that would time out anyway (backpressure)
 * @param commitWait how long a request waits for the commit that holds its order; beyond it the checkout answers 503,
 *        and the order may still be committed: a repeat with the same {@code Idempotency-Key} tells
 * @param linger how long the writer waits, after the first order of a group, for more to share its commit (0: none)
 */
@ConfigurationProperties("flashsale.checkout.writer")
record OrderWriterProperties(
        @DefaultValue("256") int maxGroup,
        @DefaultValue("10000") int maxWaiting,
        @DefaultValue("10s") Duration commitWait,
        @DefaultValue("0ms") Duration linger) {
}
