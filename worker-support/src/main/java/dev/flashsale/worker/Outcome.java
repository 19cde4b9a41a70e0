package dev.flashsale.worker;

/**
 * What applying an order did, recorded beside its dedup row: {@code applied} for most workers,
 * {@code reserved} or {@code rejected} (with the reason) for the inventory.
 *
 * @param status a short lowercase word
 * @param detail why, when the status needs explaining; may be null
 */
public record Outcome(String status, String detail) {

    public static Outcome applied() {
        return new Outcome("applied", null);
    }

    public static Outcome of(String status, String detail) {
        return new Outcome(status, detail);
    }
}
