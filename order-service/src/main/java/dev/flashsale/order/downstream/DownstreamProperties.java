package dev.flashsale.order.downstream;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the synchronous checkout finds the workers, and how long it waits for them ({@code flashsale.downstream.*}).
 *
 * @param inventoryUrl the inventory worker, called first (stock, then the card)
 * @param emailUrl the email worker, called second (invoice, then the confirmation)
 * @param analyticsUrl the analytics worker, called last
 * @param connectTimeout how long to wait for a connection; a worker that is down fails this fast
 * @param readTimeout how long to wait for a worker's answer; a worker that hangs fails the checkout after this
 */
@ConfigurationProperties("flashsale.downstream")
public record DownstreamProperties(
        @DefaultValue("http://localhost:8082") URI inventoryUrl,
        @DefaultValue("http://localhost:8081") URI emailUrl,
        @DefaultValue("http://localhost:8083") URI analyticsUrl,
        @DefaultValue("1s") Duration connectTimeout,
        @DefaultValue("5s") Duration readTimeout) {
}
