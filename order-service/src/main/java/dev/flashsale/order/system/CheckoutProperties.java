package dev.flashsale.order.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the checkout API ({@code flashsale.api.*}).
 *
 * @param maxRequestSize the largest request body accepted; a larger one is refused with a 413
 *        before it is read (a 100-line order is well under 16 KB)
 */
@ConfigurationProperties("flashsale.api")
record CheckoutProperties(@DefaultValue("64KB") DataSize maxRequestSize) {
}
