package dev.flashsale.order.checkout;

import dev.flashsale.security.AccessRule;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The one thing anyone may do without credentials that changes state: place an order, either way. Everything else
 * that changes state needs credentials (the admin's, see {@code AdminSecurityAutoConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
class PublicCheckout {

    @Bean
    AccessRule asynchronousCheckout() {
        return AccessRule.anyone(HttpMethod.POST, "/api/orders");
    }

    @Bean
    AccessRule synchronousCheckout() {
        return AccessRule.anyone(HttpMethod.POST, "/api/orders/sync");
    }
}
