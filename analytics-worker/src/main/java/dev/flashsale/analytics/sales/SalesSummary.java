package dev.flashsale.analytics.sales;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * Revenue and units in a time window, per SKU and minute and per SKU. Amounts are JSON strings, as in
 * the events, so that no client reads them through a binary float.
 *
 * @param from the start of the window (inclusive)
 * @param to the end of the window (exclusive)
 * @param orders orders in the window
 * @param perSku totals per SKU and currency
 * @param perMinute totals per minute, SKU and currency
 */
public record SalesSummary(Instant from, Instant to, long orders, List<Sku> perSku, List<Minute> perMinute) {

    /**
     * One SKU's sales in the window.
     *
     * @param sku the product
     * @param currency the currency of the revenue
     * @param units units sold
     * @param revenue units times unit price, summed
     * @param orders orders with this SKU
     */
    public record Sku(String sku, String currency, long units, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal revenue, long orders) {
    }

    /**
     * One SKU's sales in one minute (the minute the order was placed, not the one it was processed in).
     *
     * @param minute the start of the minute
     * @param sku the product
     * @param currency the currency of the revenue
     * @param units units sold
     * @param revenue units times unit price, summed
     * @param orders orders with this SKU in this minute
     */
    public record Minute(Instant minute, String sku, String currency, long units,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal revenue, long orders) {
    }
}
