package dev.flashsale.inventory.stock;

/**
 * How much of a product is left to reserve.
 *
 * @param sku the product
 * @param name what it is
 * @param available units not yet reserved
 */
public record StockLevel(String sku, String name, int available) {
}
