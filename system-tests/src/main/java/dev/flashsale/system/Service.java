package dev.flashsale.system;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The four services of the system, each an executable jar built by its module, and the peer the benchmark measures the
 * order-service against, started only when asked for ({@link FlashSaleSystem.Builder#withModulithPeer()}).
 */
public enum Service {

    ORDER_SERVICE("order-service"),
    EMAIL_WORKER("email-worker"),
    INVENTORY_WORKER("inventory-worker"),
    ANALYTICS_WORKER("analytics-worker"),

    /** The same checkout on Spring Modulith's event publication registry, publishing to the same exchange. */
    MODULITH_CHECKOUT("modulith-checkout");

    /** The services every system runs. */
    public static final Set<Service> SYSTEM = Collections.unmodifiableSet(EnumSet.of(ORDER_SERVICE, EMAIL_WORKER, INVENTORY_WORKER,
            ANALYTICS_WORKER));

    private final String module;

    Service(String module) {
        this.module = module;
    }

    /** The Maven module, which is also the application's name and its H2 database's file name. */
    public String module() {
        return module;
    }
}
