package dev.flashsale.worker;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of the dedup table: an order this worker has applied, when, and with what outcome.
 *
 * @param orderId the order
 * @param eventId the event whose delivery applied it (a later duplicate may carry another)
 * @param processedAt when the transaction that applied it ran
 * @param outcome what applying it did
 * @param detail why, for outcomes that need it
 */
public record ProcessedOrder(UUID orderId, UUID eventId, Instant processedAt, String outcome, String detail) {
}
