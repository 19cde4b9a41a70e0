package dev.flashsale.modulith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The checkout a Spring developer would write with the ecosystem's own outbox: Spring Modulith's event publication
 * registry. The order and a publication of its {@code OrderPlaced} event are committed in one transaction; after the
 * commit, an {@code @ApplicationModuleListener} sends the event to the same exchange as the order-service, and the
 * registry marks the publication complete when the listener returns.
 *
 * <p>It is not part of the system: the benchmark starts it beside the order-service and drives it with the same load,
 * so that the report can say what our outbox gains over the usual one (docs/decisions.md, "The Modulith peer").
 * {@code @EnableAsync}: an application module listener is {@code @Async}, and runs on the caller's thread without it.
 */
@SpringBootApplication
@EnableAsync
@EnableScheduling
public class ModulithCheckoutApplication {

    public static void main(String[] args) {
        SpringApplication.run(ModulithCheckoutApplication.class, args);
    }
}
