package dev.flashsale.analytics.history;

import java.time.Instant;

/**
 * Where the last rebuild of the figures from the history stream is.
 *
 * @param state {@code idle} (none since start-up), {@code replaying}, {@code done} or {@code failed}
 * @param generation the generation of the figures it fills (live once done)
 * @param from the time it replays from (orders placed from then on); null for the stream's first offset
 * @param startedAt when it started
 * @param finishedAt when it ended, or null
 * @param read messages read from the stream so far
 * @param replayed orders it added to the new generation (the rest were there already, or placed before {@code from})
 * @param unreadable messages of the stream that are not a readable order event, skipped
 * @param offset the stream offset of the last message read, or -1
 * @param ordersBefore orders in the figures it replaced (once done)
 * @param ordersAfter orders in the rebuilt figures (once done)
 * @param error why it failed, or null
 */
public record RebuildStatus(String state, int generation, Instant from, Instant startedAt, Instant finishedAt, long read,
        long replayed, long unreadable, long offset, Long ordersBefore, Long ordersAfter, String error) {

    static RebuildStatus idle() {
        return new RebuildStatus("idle", 0, null, null, null, 0, 0, 0, -1, null, null, null);
    }
}
