package dev.flashsale.system;

/** The four services of the system, each an executable jar built by its module. */
public enum Service {

    ORDER_SERVICE("order-service"),
    EMAIL_WORKER("email-worker"),
    INVENTORY_WORKER("inventory-worker"),
    ANALYTICS_WORKER("analytics-worker");

    private final String module;

    Service(String module) {
        this.module = module;
    }

    /** The Maven module, which is also the application's name and its H2 database's file name. */
    public String module() {
        return module;
    }
}
